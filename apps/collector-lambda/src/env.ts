import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { COLLECTOR_METRICS, ConfigError, parseSourceConfig } from '@nfe-lake/lake-core';
import { s3ContractLoader } from './contract';
import { CollectorDeps } from './handler';

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new ConfigError('collector environment', [{ path: name, value, expected: what }]);
  return value;
}

/**
 * The handler's dependencies from its environment: RAW_BUCKET, CONTINUATION_QUEUE_URL,
 * DEAD_LETTER_QUEUE_URL, SOURCE_CONFIG (the JSON of one lake-core source config) and CONTRACT_URI
 * (the dataset's exported contract in S3, read at the first run).
 * SDK clients use the standard AWS_* variables (AWS_ENDPOINT_URL points them at moto locally).
 */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorDeps {
  const configText = required(env, 'SOURCE_CONFIG', 'the JSON of one source config (lake-core sourceSchema)');
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch (e) {
    throw new ConfigError('SOURCE_CONFIG', [{ path: '(root)', value: configText, expected: `valid JSON (${(e as Error).message})` }]);
  }
  const source = parseSourceConfig(config, 'SOURCE_CONFIG');
  const forcePathStyle = Boolean(env.AWS_ENDPOINT_URL);
  const s3 = new S3Client({ forcePathStyle });
  return {
    source,
    contract: s3ContractLoader(s3, required(env, 'CONTRACT_URI', 'the s3:// URI of the dataset\'s exported contract')),
    bucket: required(env, 'RAW_BUCKET', 'the raw bucket name'),
    continuationQueueUrl: required(env, 'CONTINUATION_QUEUE_URL', 'the URL of the continuation SQS queue'),
    deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL', 'the URL of the dead-letter SQS queue'),
    s3,
    sqs: new SQSClient({}),
    secrets: { secretsManager: new SecretsManagerClient({}), ssm: new SSMClient({}) },
    logger: new Logger({ serviceName: COLLECTOR_METRICS.service, persistentKeys: { source: source.name } }),
    metrics: new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? COLLECTOR_METRICS.namespace, serviceName: COLLECTOR_METRICS.service, defaultDimensions: { source: source.name } }),
  };
}
