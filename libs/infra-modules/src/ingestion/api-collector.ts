import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueueRedrivePolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-policy';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { COLLECTOR_METRICS, MANIFEST_PREFIX, SecretRef, rawDatasetPrefix, rateSeconds } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { thresholdAlarm } from '../common/alarms';
import { encryptedQueue } from '../common/encrypted-queue';
import { AwsEnv } from '../common/aws-env';
import { LakeFunction } from '../common/lake-function';
import { LambdaSchedule } from '../common/lambda-schedule';
import { InfraConfigError, check, positiveInt } from '../common/validate';
import { ApiCollectorProps } from './api-collector-props';

const MAX_ALARM_WINDOW_SECONDS = 7 * 86_400;

/**
 * Collects one API source into the raw bucket: the collector Lambda on an EventBridge Scheduler
 * schedule, a KMS-encrypted continuation queue (long windows continue in later invocations) with
 * a dead-letter queue, read access to the source's secret only, and alarms on errors, DLQ depth
 * and runs that wrote no manifest.
 */
export class ApiCollector extends Construct {
  readonly function: LakeFunction;
  readonly continuationQueue: SqsQueue;
  readonly schedule: LambdaSchedule;
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: ApiCollectorProps) {
    super(scope, id);
    const { source } = props;
    if (props.contract.contract.name !== source.dataset) {
      throw new InfraConfigError(`invalid contract for source ${source.name}: got the contract of ${props.contract.contract.name}; pass the contract of dataset ${source.dataset}`);
    }
    const name = `${props.namePrefix}-collector-${source.name}`;
    const timeoutSeconds = props.timeoutSeconds ?? 900;
    const missed = check('missedSchedulesBeforeAlarm', props.missedSchedulesBeforeAlarm ?? 3, positiveInt, 'use a whole number >= 1');
    const intervalSeconds = check('scheduleIntervalSeconds', props.scheduleIntervalSeconds ?? rateSeconds(source.schedule) ?? 86_400, positiveInt, 'use the seconds between scheduled runs');
    const alarmWindowSeconds = intervalSeconds * missed;
    if (alarmWindowSeconds > MAX_ALARM_WINDOW_SECONDS) {
      throw new InfraConfigError(
        `source ${source.name}: the missing-manifest alarm would wait ${alarmWindowSeconds} s (${missed} runs of ${intervalSeconds} s); CloudWatch evaluates at most 7 days: lower missedSchedulesBeforeAlarm`,
      );
    }

    this.continuationQueue = encryptedQueue(this, 'ContinuationQueue', props.key, {
      name: `${name}-continuation`,
      // AWS guidance for Lambda event sources: at least 6x the function timeout
      visibilityTimeoutSeconds: Math.min(6 * timeoutSeconds, 43_200),
      messageRetentionSeconds: 345_600,
    });
    this.function = new LakeFunction(this, 'Function', {
      functionName: name,
      description: `Collects ${source.baseUrl}${source.path} into the raw layer (${source.dataset})`,
      codeDirectory: props.codeDirectory,
      key: props.key,
      timeoutSeconds,
      memorySizeMb: props.memorySizeMb ?? 1024,
      logRetentionDays: props.logRetentionDays,
      // one run per source at a time: the source state is a single checkpoint
      reservedConcurrentExecutions: 1,
      environment: {
        RAW_BUCKET: props.rawBucket.bucketName,
        CONTINUATION_QUEUE_URL: this.continuationQueue.url,
        SOURCE_CONFIG: JSON.stringify(source),
        CONTRACT_URI: props.contract.uri,
        POWERTOOLS_SERVICE_NAME: COLLECTOR_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: COLLECTOR_METRICS.namespace,
      },
    });
    this.function.addEnvironment('DEAD_LETTER_QUEUE_URL', this.function.deadLetterQueue.url);
    // a separate resource, so the two queues are created in parallel
    new SqsQueueRedrivePolicy(this, 'ContinuationRedrive', {
      queueUrl: this.continuationQueue.url,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.function.deadLetterQueue.arn, maxReceiveCount: 5 }),
    });
    new LambdaEventSourceMapping(this, 'Continuations', { eventSourceArn: this.continuationQueue.arn, functionName: this.function.functionArn, batchSize: 1 });

    const role = this.function.role;
    props.contract.grantRead(role);
    const datasetPrefix = rawDatasetPrefix(source.name, source.dataset);
    props.rawBucket.grantWrite(role, `${datasetPrefix}*`);
    props.rawBucket.grantWrite(role, `${MANIFEST_PREFIX}${datasetPrefix}*`);
    props.rawBucket.grantWrite(role, `_state/${datasetPrefix}*`);
    props.rawBucket.grantRead(role, `_state/${datasetPrefix}*`);
    role.addToPolicy({
      Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: [this.continuationQueue.arn],
    });
    role.addToPolicy({ Action: ['cloudwatch:PutMetricData'], Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': COLLECTOR_METRICS.namespace } } });
    const secret = secretOf(source.auth);
    if (secret) role.addToPolicy(secretAccess(AwsEnv.of(this), secret));

    this.schedule = new LambdaSchedule(this, 'Schedule', {
      scheduleName: name,
      expression: source.schedule,
      functionArn: this.function.functionArn,
      input: { source: source.name },
      key: props.key,
    });

    const periodSeconds = Math.min(intervalSeconds, 86_400);
    this.alarms = [
      ...this.function.alarms,
      thresholdAlarm(this, 'NoManifestAlarm', {
        alarmName: `${name}-no-manifest`,
        description: `no manifest from source ${source.name} for ${missed} scheduled runs`,
        namespace: COLLECTOR_METRICS.namespace,
        metricName: COLLECTOR_METRICS.runsCompleted,
        dimensions: { service: COLLECTOR_METRICS.service, source: source.name },
        statistic: 'Sum',
        periodSeconds,
        evaluationPeriods: Math.ceil(alarmWindowSeconds / periodSeconds),
        when: 'absent',
      }),
    ];
  }
}

function secretOf(auth: ApiCollectorProps['source']['auth']): SecretRef | undefined {
  return auth.type === 'none' ? undefined : auth.secret;
}

function secretAccess(env: AwsEnv, secret: SecretRef) {
  if (secret.from === 'ssm') {
    return { Action: ['ssm:GetParameter'], Resource: [env.arn('ssm', `parameter${secret.parameterName}`)] };
  }
  // a name matches any version suffix Secrets Manager appends; a full ARN is used as given
  const arn = secret.secretId.startsWith('arn:') ? secret.secretId : env.arn('secretsmanager', `secret:${secret.secretId}-??????`);
  return { Action: ['secretsmanager:GetSecretValue'], Resource: [arn] };
}
