import { SqsQueue, SqsQueueConfig } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { ILakeKey } from '../storage/lake-key';

/** An SQS queue encrypted with the lake key (SSE-KMS). */
export function encryptedQueue(scope: Construct, id: string, key: ILakeKey, config: Omit<SqsQueueConfig, 'kmsMasterKeyId'>): SqsQueue {
  return new SqsQueue(scope, id, { ...config, kmsMasterKeyId: key.keyArn, kmsDataKeyReusePeriodSeconds: 300 });
}
