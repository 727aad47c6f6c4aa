import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SourceConfig, SourceConfigInput, sourceSchema } from '@nfe-lake/lake-core';
import { TerraformStack } from 'cdktf';
import { ApiCollector, ApiCollectorProps, DatasetContractObject } from '../src';
import { artefactFixtures, nfeInvoice, shopOrders } from './fixtures';
import { KEY_ARN, policyStatements, resources, storageIn, synthWith } from './helpers';

const artefacts = artefactFixtures();
const baseSource: SourceConfigInput = { name: 'nfe-api', dataset: 'nfe_invoice', baseUrl: 'https://api.example.com', path: '/v1/invoices', pagination: { type: 'none' } };
const source = (over: Partial<SourceConfigInput> = {}): SourceConfig => sourceSchema.parse({ ...baseSource, ...over });

function collector(over: Partial<SourceConfigInput> = {}, props: Partial<ApiCollectorProps> = {}) {
  return synthWith((stack: TerraformStack) => {
    const storage = storageIn(stack);
    const dataset = source(over).dataset === shopOrders.name ? shopOrders : nfeInvoice;
    const contract = new DatasetContractObject(stack, 'Contract', { contract: dataset, bucket: storage.artefacts, key: storage.key });
    new ApiCollector(stack, 'Collector', { source: source(over), contract, rawBucket: storage.raw, key: storage.key, namePrefix: 'nfe-test', codeDirectory: artefacts.collectorCodeDirectory, ...props });
  });
}

describe('ApiCollector defaults', () => {
  const { json, tf } = collector();
  const fn = resources(tf, 'aws_lambda_function')[0];

  it('runs the bundle on nodejs22.x arm64 with KMS-encrypted env, tracing, DLQ and JSON logs', () => {
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'nfe-test-collector-nfe-api',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      timeout: 900,
      memory_size: 1024,
      reserved_concurrent_executions: 1,
      tracing_config: { mode: 'Active' },
      logging_config: { log_format: 'JSON', log_group: expect.stringContaining('aws_cloudwatch_log_group') },
      kms_key_arn: expect.stringContaining('aws_kms_key'),
      dead_letter_config: { target_arn: expect.stringContaining('DeadLetterQueue') },
    });
    expect(fn.filename).toMatch(/^assets\/.*\.zip$/);
    expect(fn.source_code_hash).toMatch(/^\$\{filebase64sha256\("assets\/.*\.zip"\)\}$/);
  });

  it('passes the collector its environment (source config, its dataset\'s contract object, raw bucket, both queues)', () => {
    const vars = fn.environment.variables;
    expect(vars.CONTRACT_URI).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.Storage_Artefacts.*\}\/contracts\/nfe_invoice\.contract\.json$/);
    expect(JSON.parse(vars.SOURCE_CONFIG)).toEqual(source());
    expect(vars.RAW_BUCKET).toContain('Storage_Raw');
    expect(vars.CONTINUATION_QUEUE_URL).toMatch(/ContinuationQueue.*\.url/);
    expect(vars.DEAD_LETTER_QUEUE_URL).toMatch(/DeadLetterQueue.*\.url/);
    expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('NfeLake/Collector');
  });

  it('log group with retention and the lake key', () => {
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/nfe-test-collector-nfe-api', retention_in_days: 365, kms_key_id: expect.stringContaining('aws_kms_key') });
  });

  it('continuation queue and DLQ are KMS-encrypted; continuations redrive to the DLQ and feed the function', () => {
    const queues = resources(tf, 'aws_sqs_queue');
    expect(queues.map((q) => q.name).sort()).toEqual(['nfe-test-collector-nfe-api-continuation', 'nfe-test-collector-nfe-api-dlq']);
    expect(queues.every((q) => String(q.kms_master_key_id).includes('aws_kms_key'))).toBe(true);
    expect(json).toHaveResourceWithProperties(SqsQueue, { name: 'nfe-test-collector-nfe-api-continuation', visibility_timeout_seconds: 5400 });
    const redrive = JSON.parse(resources(tf, 'aws_sqs_queue_redrive_policy')[0].redrive_policy);
    expect(redrive).toEqual({ deadLetterTargetArn: expect.stringContaining('DeadLetterQueue'), maxReceiveCount: 5 });
    expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, { batch_size: 1, event_source_arn: expect.stringContaining('ContinuationQueue') });
  });

  it('schedules the source with EventBridge Scheduler from the config, with a role that can only invoke it', () => {
    expect(json).toHaveResourceWithProperties(SchedulerSchedule, {
      name: 'nfe-test-collector-nfe-api',
      schedule_expression: 'rate(1 day)',
      flexible_time_window: { mode: 'OFF' },
      kms_key_arn: KEY_ARN,
      // nested blocks match whole: the retry policy and role are part of the contract
      target: {
        arn: '${aws_lambda_function.Collector_Function_E9933A71.arn}',
        input: '{"source":"nfe-api"}',
        retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 2 },
        role_arn: '${aws_iam_role.Collector_Schedule_Role_250B9599.arn}',
      },
    });
    expect(policyStatements(tf, 'nfe-test-collector-nfe-api-scheduler')).toContainEqual(expect.objectContaining({ Action: ['lambda:InvokeFunction'], Resource: [expect.stringContaining('aws_lambda_function')] }));
  });

  it('least privilege: raw writes only under the source prefixes, no secret access without auth', () => {
    const statements = policyStatements(tf, 'nfe-test-collector-nfe-api');
    const puts = statements.filter((s) => s.Action.includes('s3:PutObject')).flatMap((s) => s.Resource as string[]);
    expect(puts.map((r) => r.replace(/^.*\.arn\}/, ''))).toEqual(['/nfe-api/nfe_invoice/*', '/_manifests/nfe-api/nfe_invoice/*', '/_state/nfe-api/nfe_invoice/*']);
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('secretsmanager:') || a.startsWith('ssm:'))).toEqual([]);
    const reads = statements.filter((s) => s.Action.includes('s3:GetObject')).flatMap((s) => s.Resource as string[]);
    expect(reads.filter((r) => r.includes('Storage_Artefacts')).map((r) => r.replace(/^.*\.arn\}/, ''))).toEqual(['/contracts/nfe_invoice.contract.json']);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['cloudwatch:PutMetricData'], Condition: { StringEquals: { 'cloudwatch:namespace': 'NfeLake/Collector' } } }));
  });

  it('alarms on errors, DLQ depth and 3 runs without a manifest', () => {
    expect(resources(tf, 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name).sort()).toEqual(['nfe-test-collector-nfe-api-dlq-depth', 'nfe-test-collector-nfe-api-errors', 'nfe-test-collector-nfe-api-no-manifest']);
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: 'nfe-test-collector-nfe-api-errors', namespace: 'AWS/Lambda', metric_name: 'Errors', threshold: 1, treat_missing_data: 'notBreaching' });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: 'nfe-test-collector-nfe-api-dlq-depth', namespace: 'AWS/SQS', dimensions: { QueueName: 'nfe-test-collector-nfe-api-dlq' } });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'nfe-test-collector-nfe-api-no-manifest',
      namespace: 'NfeLake/Collector',
      metric_name: 'RunsCompleted',
      dimensions: { service: 'collector', source: 'nfe-api' },
      period: 86400,
      evaluation_periods: 3,
      comparison_operator: 'LessThanThreshold',
      treat_missing_data: 'breaching',
    });
  });
});

describe('ApiCollector options', () => {
  it('grants exactly the configured secret (Secrets Manager name or SSM parameter)', () => {
    const sm = collector({ auth: { type: 'bearer', secret: { from: 'secretsmanager', secretId: 'nfe/token' } } });
    expect(policyStatements(sm.tf, 'nfe-test-collector-nfe-api')).toContainEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [expect.stringMatching(/:secret:nfe\/token-\?\?\?\?\?\?$/)] });
    const ssm = collector({ auth: { type: 'api_key', in: 'header', name: 'x-key', secret: { from: 'ssm', parameterName: '/nfe/key' } } });
    expect(policyStatements(ssm.tf, 'nfe-test-collector-nfe-api')).toContainEqual({ Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [expect.stringMatching(/:parameter\/nfe\/key$/)] });
  });

  it('reads the contract of the dataset its source feeds (shop_orders)', () => {
    const { tf: shop } = collector({ name: 'shop-api', dataset: 'shop_orders', path: '/v1/orders' });
    expect(resources(shop, 'aws_lambda_function')[0].environment.variables.CONTRACT_URI).toMatch(/\/contracts\/shop_orders\.contract\.json$/);
    const puts = policyStatements(shop, 'nfe-test-collector-shop-api').filter((s) => s.Action.includes('s3:PutObject')).flatMap((s) => s.Resource as string[]);
    expect(puts.map((r) => r.replace(/^.*\.arn\}/, ''))).toEqual(['/shop-api/shop_orders/*', '/_manifests/shop-api/shop_orders/*', '/_state/shop-api/shop_orders/*']);
  });

  it('derives the alarm window from rate schedules and honours the options', () => {
    const { json } = collector({ schedule: 'rate(15 minutes)' }, { missedSchedulesBeforeAlarm: 4, timeoutSeconds: 300, memorySizeMb: 512, logRetentionDays: 30 });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: 'nfe-test-collector-nfe-api-no-manifest', period: 900, evaluation_periods: 4 });
    expect(json).toHaveResourceWithProperties(LambdaFunction, { timeout: 300, memory_size: 512 });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 30 });
    expect(json).toHaveResourceWithProperties(SqsQueue, { name: 'nfe-test-collector-nfe-api-continuation', visibility_timeout_seconds: 1800 });
  });

  it('rejects bad settings with the value and the fix', () => {
    expect(() => collector({ schedule: 'rate(3 days)' }, { missedSchedulesBeforeAlarm: 3 })).toThrow(/the missing-manifest alarm would wait 777600 s \(3 runs of 259200 s\); CloudWatch evaluates at most 7 days: lower missedSchedulesBeforeAlarm/);
    expect(() => collector({}, { timeoutSeconds: 901 })).toThrow('invalid timeoutSeconds: got 901; use 1 to 900 seconds (the Lambda maximum)');
    expect(() => collector({}, { missedSchedulesBeforeAlarm: 0 })).toThrow('invalid missedSchedulesBeforeAlarm: got 0; use a whole number >= 1');
    expect(() => collector({}, { contract: { contract: shopOrders, uri: 's3://a/b', grantRead: () => undefined } })).toThrow(
      'invalid contract for source nfe-api: got the contract of shop_orders; pass the contract of dataset nfe_invoice',
    );
    expect(() => collector({}, { codeDirectory: '/nonexistent/bundle' })).toThrow(/code directory \/nonexistent\/bundle does not exist; build the bundle first/);
  });
});
