import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { thresholdAlarm } from './alarms';
import { encryptedQueue } from './encrypted-queue';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AssetType, Fn, TerraformAsset } from 'cdktf';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Construct } from 'constructs';
import { ILakeKey } from '../storage/lake-key';
import { LakeRole } from './iam';
import { InfraConfigError, check, positiveInt } from './validate';

export interface LakeFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** Directory of the bundled handler (an Nx bundle target's output), zipped as a Terraform asset. */
  readonly codeDirectory: string;
  /** Encrypts the environment, the log group and the dead-letter queue. */
  readonly key: ILakeKey;
  /** @default 'index.handler' */
  readonly handler?: string;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Caps concurrent executions (protects the source API and the account pool). @default 2 */
  readonly reservedConcurrentExecutions?: number;
  /** @default {} */
  readonly environment?: Record<string, string>;
}

/**
 * A Node.js Lambda on arm64 with its own least-privilege role, KMS-encrypted JSON log group with
 * retention, KMS-encrypted dead-letter queue, X-Ray tracing, and alarms on errors and DLQ depth.
 */
export class LakeFunction extends Construct {
  readonly resource: LambdaFunction;
  readonly role: LakeRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: SqsQueue;
  readonly functionArn: string;
  readonly functionName: string;
  readonly alarms: CloudwatchMetricAlarm[];
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: LakeFunctionProps) {
    super(scope, id);
    const codeDirectory = resolve(props.codeDirectory);
    if (!existsSync(codeDirectory)) {
      throw new InfraConfigError(`function ${props.functionName}: code directory ${codeDirectory} does not exist; build the bundle first (nx run-many -t bundle) or pass codeDirectory`);
    }
    const timeoutSeconds = check('timeoutSeconds', props.timeoutSeconds ?? 60, (t) => positiveInt(t) && t <= 900, 'use 1 to 900 seconds (the Lambda maximum)');
    const memorySizeMb = check('memorySizeMb', props.memorySizeMb ?? 512, (m) => positiveInt(m) && m >= 128 && m <= 10_240, 'use 128 to 10240 MB');

    this.role = new LakeRole(this, 'Role', { roleName: props.functionName, assumedBy: ['lambda.amazonaws.com'], description: props.description });
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.key.keyArn,
    });
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue', props.key, { name: `${props.functionName}-dlq`, messageRetentionSeconds: 1_209_600 });
    this.role.addToPolicy({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${this.logGroup.arn}:*`] });
    this.role.addToPolicy({ Action: ['sqs:SendMessage'], Resource: [this.deadLetterQueue.arn] });
    this.role.addToPolicy({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' });
    props.key.grantEncryptDecrypt(this.role);

    this.environment = { NODE_OPTIONS: '--enable-source-maps', ...props.environment };
    const bundle = new TerraformAsset(this, 'Bundle', { path: codeDirectory, type: AssetType.ARCHIVE });
    this.resource = new LambdaFunction(this, 'Resource', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.roleArn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: props.handler ?? 'index.handler',
      filename: bundle.path,
      sourceCodeHash: Fn.filebase64sha256(bundle.path),
      memorySize: memorySizeMb,
      timeout: timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 2,
      kmsKeyArn: props.key.keyArn,
      environment: { variables: this.environment },
      tracingConfig: { mode: 'Active' },
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
    this.functionArn = this.resource.arn;
    this.functionName = this.resource.functionName;

    this.alarms = [
      thresholdAlarm(this, 'ErrorsAlarm', {
        alarmName: `${props.functionName}-errors`,
        description: `${props.functionName} invocations failed`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: props.functionName },
        statistic: 'Sum',
        when: 'above',
      }),
      thresholdAlarm(this, 'DeadLetterAlarm', {
        alarmName: `${props.functionName}-dlq-depth`,
        description: `messages are waiting in ${props.functionName}-dlq`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `${props.functionName}-dlq` },
        statistic: 'Maximum',
        when: 'above',
      }),
    ];
  }

  addEnvironment(name: string, value: string): void {
    this.environment[name] = value;
    this.resource.putEnvironment({ variables: this.environment });
  }
}
