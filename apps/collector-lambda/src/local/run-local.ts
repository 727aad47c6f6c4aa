/**
 * Runs the real collector handler in-process against any source config, with S3/SQS/Secrets
 * Manager/SSM on moto (or any endpoint), the way Lambda + SQS would: the schedule tick, then
 * every continuation until the queue is empty. Prints progress and the manifests.
 *
 *   npx nx run collector-lambda:run-local -- --config source.json --contract <dataset contract file or s3:// URI>
 *     [--endpoint http://127.0.0.1:4566]
 *     [--bucket nfe-lake-raw] [--at 2026-01-02T00:00:00Z] [--budget-seconds 900] [--log-level WARN]
 *
 * Without --endpoint it starts its own moto server (libs/local-aws) and stops it at the end.
 */
import { parseArgs } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { checkpointKey, COLLECTOR_METRICS, loadContractFile, loadSourceConfig, RunManifest, sourceStateKey } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { JsonStore } from '../checkpoint/json-store';
import { checkpointSchema, sourceStateSchema } from '../checkpoint/state';
import { s3ContractLoader } from '../contract';
import { createHandler, InvocationResult } from '../handler';
import { LocalEventSource, localContext } from './local-lambda';

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      contract: { type: 'string' },
      endpoint: { type: 'string' },
      bucket: { type: 'string', default: 'nfe-lake-raw' },
      at: { type: 'string' },
      'budget-seconds': { type: 'string', default: '900' },
      'log-level': { type: 'string', default: 'WARN' },
    },
  });
  if (!values.config) throw new Error('--config <source.json> is required');
  if (!values.contract) throw new Error('--contract <contract file | s3:// URI of the exported contract> is required');
  const logLevel = values['log-level'].toUpperCase() as (typeof LOG_LEVELS)[number];
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`--log-level ${values['log-level']}: expected one of ${LOG_LEVELS.join(', ')}`);
  const budgetMs = Number(values['budget-seconds']) * 1000;
  if (!(budgetMs > 0)) throw new Error(`--budget-seconds ${values['budget-seconds']}: expected a positive number`);
  const at = values.at ? new Date(values.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--at ${values.at}: expected an ISO 8601 date-time`);
  const source = loadSourceConfig(values.config);

  const moto: LocalAws | undefined = values.endpoint ? undefined : await startLocalAws();
  if (moto) console.log(`started moto at ${moto.endpoint}`);
  const clientConfig = {
    endpoint: values.endpoint ?? moto?.endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'testing', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing' },
  };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const sqs = new SQSClient(clientConfig);
  const secrets = { secretsManager: new SecretsManagerClient(clientConfig), ssm: new SSMClient(clientConfig) };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: values.bucket })).catch((e) => {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((e as Error).name)) throw e;
    });
    const createQueue = async (name: string) => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
      return QueueUrl;
    };
    const queueUrl = await createQueue(`${source.name}-collector-continuations`);
    const deadLetterQueueUrl = await createQueue(`${source.name}-collector-dlq`);
    const started = Date.now();
    const contractArg = values.contract;
    const contract = contractArg.startsWith('s3://') ? s3ContractLoader(s3, contractArg) : async () => loadContractFile(contractArg);
    const handler = createHandler({
      contract,
      // The collector's clock starts at --at, so continuations and backfill stop where the tick would.
      now: () => at.getTime() + (Date.now() - started),
      source,
      bucket: values.bucket,
      continuationQueueUrl: queueUrl,
      deadLetterQueueUrl,
      s3,
      sqs,
      secrets,
      logger: new Logger({ serviceName: COLLECTOR_METRICS.service, logLevel, persistentKeys: { source: source.name } }),
      metrics: new Metrics({ namespace: COLLECTOR_METRICS.namespace, serviceName: COLLECTOR_METRICS.service, defaultDimensions: { source: source.name } }),
    });
    const store = new JsonStore(s3, values.bucket);
    const manifests: RunManifest[] = [];
    let invocations = 0;
    const report = async (kind: string, result: InvocationResult) => {
      invocations += 1;
      manifests.push(...result.completed);
      const state = await store.get(sourceStateKey(source.name, source.dataset), sourceStateSchema);
      const active = state?.value.activeRun ? await store.get(checkpointKey(state.value.activeRun), checkpointSchema) : undefined;
      const progress = active
        ? `run ${active.value.runId}: ${active.value.records} records, ${active.value.parts.length} parts, page ${active.value.page.seq}, ${active.value.status}`
        : `high-water mark ${state?.value.highWaterMark ?? 'none'}`;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`[${seconds}s] #${invocations} ${kind}: ${result.completed.length} run(s) completed; ${progress}`);
    };
    console.log(`collecting ${source.name} (${source.baseUrl}${source.path}) into s3://${values.bucket} as of ${at.toISOString()}`);
    await report('schedule', await handler({ scheduledTime: at.toISOString() }, localContext(budgetMs)));
    await new LocalEventSource(sqs, queueUrl).drain(handler, budgetMs, (result) => report('continuation', result));

    for (const manifest of manifests) console.log(JSON.stringify(manifest, null, 2));
    const records = manifests.reduce((n, m) => n + m.records, 0);
    const seconds = (Date.now() - started) / 1000;
    console.log(`${manifests.length} run(s), ${records} records in ${seconds.toFixed(1)} s (${Math.round(records / seconds)} records/s), ${invocations} invocation(s)`);
    const dead = await new LocalEventSource(sqs, deadLetterQueueUrl).receive();
    for (const message of dead) console.error(`dead letter: ${message.MessageAttributes?.reason?.StringValue}\n  ${message.Body}`);
    return dead.length ? 1 : 0;
  } finally {
    for (const client of [s3, sqs, secrets.secretsManager, secrets.ssm]) client.destroy();
    await moto?.stop();
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
