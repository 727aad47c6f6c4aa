import { EMRClient } from '@aws-sdk/client-emr';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from './config';
import { Trigger, TriggerEvent, TriggerResult } from './trigger';

export { Trigger, jobRunIdOf } from './trigger';
export type { TriggerEvent, TriggerResult, StartedRun } from './trigger';
export { loadConfig } from './config';
export { TriggerError } from './errors';
export { runJobFlowInput, sparkSubmitArgs } from './emr-request';

const logger = new Logger({ serviceName: 'emr-trigger' });
let trigger: Trigger | undefined;

/** Lambda entry point: EventBridge S3 "Object Created" for a run manifest, or a schedule sweep. */
export async function handler(event: TriggerEvent): Promise<TriggerResult> {
  if (!trigger) {
    const config = loadConfig();
    trigger = new Trigger({ s3: new S3Client({}), emr: new EMRClient({ maxAttempts: config.emrMaxAttempts }), config, logger });
  }
  return trigger.handle(event);
}
