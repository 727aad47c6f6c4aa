import { RecordedCall } from './recorder';

/** A policy other than the caller's own that AWS also evaluates for a request. */
export interface ResourcePolicyRef {
  readonly kind: 'kms-key' | 'secret';
  /** The key's or the secret's ARN. */
  readonly arn: string;
}

/**
 * One authorization AWS performs for a call: the call's own action, or one a service performs on the
 * caller's behalf (S3 and SQS asking KMS for a data key, EMR checking the roles passed to it).
 */
export interface AuthorizationRequest {
  /** The recorded call, `S3Client.PutObjectCommand`. */
  readonly call: string;
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  /** moto authorizes this request itself under `enforceIam` (S3, SQS, STS, IAM calls; see the README's table). */
  readonly enforcedByMoto: boolean;
  readonly resourcePolicy?: ResourcePolicyRef;
}

/** Facts about resources a call names only by id, read back from (moto's) AWS by the evaluator. */
export interface ResourceLookups {
  readonly region: string;
  readonly accountId: string;
  /** A KMS key's ARN from its id, ARN or alias. */
  keyArn(keyId: string): Promise<string>;
  /** A queue's ARN and the KMS key it encrypts messages with (none for SQS-managed or no encryption). */
  queue(queueUrl: string): Promise<{ arn: string; keyArn?: string }>;
  /** A secret's ARN and its customer-managed KMS key, if any. */
  secret(secretId: string): Promise<{ arn: string; keyArn?: string }>;
  /** The role an EC2 instance profile holds. */
  instanceProfileRole(name: string): Promise<string>;
  /** An EMR cluster's tags. */
  clusterTags(clusterId: string): Promise<Record<string, string>>;
}

export class IamEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IamEvaluationError';
  }
}

type Model = (call: RecordedCall, facts: ResourceLookups) => Promise<AuthorizationRequest[]>;
type Req = Omit<AuthorizationRequest, 'call'>;

const str = (call: RecordedCall, field: string): string => {
  const value = call.input[field];
  if (typeof value !== 'string' || !value) throw new IamEvaluationError(`invalid ${call.client}.${call.command} call: got no ${field} in its input; the SDK requires it`);
  return value;
};

const s3Object = (call: RecordedCall) => `arn:aws:s3:::${str(call, 'Bucket')}/${str(call, 'Key')}`;
const s3 = (action: string, resource: (call: RecordedCall) => string): ((call: RecordedCall) => Req) => (call) => ({ action, resource: resource(call), context: {}, enforcedByMoto: true });

/**
 * The KMS request S3 makes as the caller for an SSE-KMS object (the response names the key): a data
 * key to write, a decrypt to read. The encryption context is the object's ARN, the bucket's with an S3 Bucket Key.
 */
const s3Kms =
  (action: 'kms:GenerateDataKey' | 'kms:Decrypt'): Model =>
  async (call, facts) => {
    const out = call.output;
    if (call.error || out?.ServerSideEncryption !== 'aws:kms' || typeof out.SSEKMSKeyId !== 'string') return [];
    const key = await facts.keyArn(out.SSEKMSKeyId);
    const context = out.BucketKeyEnabled ? `arn:aws:s3:::${str(call, 'Bucket')}` : s3Object(call);
    return [kmsRequest(action, key, facts, `s3.${facts.region}.amazonaws.com`, { 'kms:EncryptionContext:aws:s3:arn': context, 'kms:EncryptionContextKeys': ['aws:s3:arn'] })].map(named(call));
  };

function kmsRequest(action: string, keyArn: string, facts: ResourceLookups, viaService?: string, context: Record<string, string | string[]> = {}): Req {
  return {
    action,
    resource: keyArn,
    context: { ...(viaService ? { 'kms:ViaService': viaService } : {}), 'kms:CallerAccount': facts.accountId, ...context },
    enforcedByMoto: false,
    resourcePolicy: { kind: 'kms-key', arn: keyArn },
  };
}

/** SQS asks KMS for a data key to send to (and decrypts to receive from) a queue encrypted with a KMS key. */
const sqs =
  (action: string, kmsActions: string[]): Model =>
  async (call, facts) => {
    const queue = await facts.queue(str(call, 'QueueUrl'));
    const own: Req = { action, resource: queue.arn, context: {}, enforcedByMoto: true };
    const keyArn = queue.keyArn;
    if (call.error || !keyArn) return [own].map(named(call));
    const kms = kmsActions.map((a) => kmsRequest(a, keyArn, facts, `sqs.${facts.region}.amazonaws.com`, { 'kms:EncryptionContext:aws:sqs:arn': queue.arn }));
    return [own, ...kms].map(named(call));
  };

const named =
  (call: RecordedCall) =>
  (r: Req): AuthorizationRequest => ({ call: `${call.client}.${call.command}`, ...r });
const one =
  (build: (call: RecordedCall) => Req): Model =>
  async (call) => [named(call)(build(call))];
const all =
  (...models: Model[]): Model =>
  async (call, facts) => (await Promise.all(models.map((m) => m(call, facts)))).flat().map((r) => ({ ...r, call: `${call.client}.${call.command}` }));

const roleArn = (facts: ResourceLookups, nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:iam::${facts.accountId}:role/${nameOrArn}`);
const passRole = (role: string, service: string): Req => ({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service }, enforcedByMoto: false });

/** The tags a request carries, as the `aws:RequestTag/<key>` and `aws:TagKeys` condition keys. */
function requestTags(tags: unknown): Record<string, string | string[]> {
  const list = (Array.isArray(tags) ? tags : []) as { Key: string; Value?: string }[];
  if (!list.length) return {};
  return { ...Object.fromEntries(list.map((t) => [`aws:RequestTag/${t.Key}`, t.Value ?? ''])), 'aws:TagKeys': list.map((t) => t.Key) };
}

const cluster =
  (action: string): Model =>
  async (call, facts) => {
    const id = str(call, 'ClusterId');
    const tags = await facts.clusterTags(id);
    const context = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    return [named(call)({ action, resource: `arn:aws:elasticmapreduce:${facts.region}:${facts.accountId}:cluster/${id}`, context, enforcedByMoto: false })];
  };

/**
 * RunJobFlow: the action (no resource-level permission, so `*`) with its request tags, and the
 * `iam:PassRole` EMR checks for each role the request hands it.
 */
const runJobFlow: Model = async (call, facts) => {
  const requests: Req[] = [{ action: 'elasticmapreduce:RunJobFlow', resource: '*', context: requestTags(call.input.Tags), enforcedByMoto: false }];
  if (call.input.ServiceRole) requests.push(passRole(roleArn(facts, str(call, 'ServiceRole')), 'elasticmapreduce.amazonaws.com'));
  if (call.input.JobFlowRole) requests.push(passRole(await facts.instanceProfileRole(str(call, 'JobFlowRole')), 'ec2.amazonaws.com'));
  if (call.input.AutoScalingRole) requests.push(passRole(roleArn(facts, str(call, 'AutoScalingRole')), 'application-autoscaling.amazonaws.com'));
  return requests.map(named(call));
};

const secretValue: Model = async (call, facts) => {
  const secret = await facts.secret(str(call, 'SecretId'));
  const own: Req = { action: 'secretsmanager:GetSecretValue', resource: secret.arn, context: {}, enforcedByMoto: false, resourcePolicy: { kind: 'secret', arn: secret.arn } };
  const kms = secret.keyArn && !call.error ? [kmsRequest('kms:Decrypt', secret.keyArn, facts, `secretsmanager.${facts.region}.amazonaws.com`)] : [];
  return [own, ...kms].map(named(call));
};

const parameter = (call: RecordedCall, facts: ResourceLookups) => {
  const name = str(call, 'Name');
  return `arn:aws:ssm:${facts.region}:${facts.accountId}:parameter${name.startsWith('/') ? name : `/${name}`}`;
};

const kmsDirect =
  (action: string): Model =>
  async (call, facts) => [named(call)(kmsRequest(action, await facts.keyArn(str(call, 'KeyId')), facts))];

/**
 * Every call the workloads make, by `<client>.<command>`, and the authorizations AWS performs for it.
 * A call without an entry fails the evaluation: an unmodelled call must not pass unseen.
 */
export const AUTHORIZATIONS: Readonly<Record<string, Model>> = {
  'S3Client.GetObjectCommand': all(one(s3('s3:GetObject', s3Object)), s3Kms('kms:Decrypt')),
  'S3Client.HeadObjectCommand': one(s3('s3:GetObject', s3Object)),
  'S3Client.PutObjectCommand': all(one(s3('s3:PutObject', s3Object)), s3Kms('kms:GenerateDataKey')),
  'S3Client.CreateMultipartUploadCommand': all(one(s3('s3:PutObject', s3Object)), s3Kms('kms:GenerateDataKey')),
  // each part is encrypted under the upload's data key, which S3 decrypts as the caller
  'S3Client.UploadPartCommand': all(one(s3('s3:PutObject', s3Object)), s3Kms('kms:Decrypt')),
  'S3Client.CompleteMultipartUploadCommand': one(s3('s3:PutObject', s3Object)),
  'S3Client.AbortMultipartUploadCommand': one(s3('s3:AbortMultipartUpload', s3Object)),
  'S3Client.DeleteObjectCommand': one(s3('s3:DeleteObject', s3Object)),
  'S3Client.ListObjectsV2Command': one(s3('s3:ListBucket', (c) => `arn:aws:s3:::${str(c, 'Bucket')}`)),
  'SQSClient.SendMessageCommand': sqs('sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt']),
  'SQSClient.SendMessageBatchCommand': sqs('sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt']),
  'SQSClient.ReceiveMessageCommand': sqs('sqs:ReceiveMessage', ['kms:Decrypt']),
  'SQSClient.DeleteMessageCommand': sqs('sqs:DeleteMessage', []),
  'SQSClient.DeleteMessageBatchCommand': sqs('sqs:DeleteMessage', []),
  'SQSClient.GetQueueAttributesCommand': sqs('sqs:GetQueueAttributes', []),
  'SecretsManagerClient.GetSecretValueCommand': secretValue,
  'SSMClient.GetParameterCommand': async (call, facts) => [named(call)({ action: 'ssm:GetParameter', resource: parameter(call, facts), context: {}, enforcedByMoto: false })],
  'CloudWatchClient.PutMetricDataCommand': one((c) => ({ action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': str(c, 'Namespace') }, enforcedByMoto: false })),
  'EMRClient.RunJobFlowCommand': runJobFlow,
  'EMRClient.ListClustersCommand': one(() => ({ action: 'elasticmapreduce:ListClusters', resource: '*', context: {}, enforcedByMoto: false })),
  'EMRClient.DescribeClusterCommand': cluster('elasticmapreduce:DescribeCluster'),
  'EMRClient.AddJobFlowStepsCommand': async (call, facts) => cluster('elasticmapreduce:AddJobFlowSteps')({ ...call, input: { ...call.input, ClusterId: call.input.JobFlowId } }, facts),
  'EMRClient.ListStepsCommand': cluster('elasticmapreduce:ListSteps'),
  'EMRClient.DescribeStepCommand': cluster('elasticmapreduce:DescribeStep'),
  'KMSClient.DecryptCommand': kmsDirect('kms:Decrypt'),
  'KMSClient.GenerateDataKeyCommand': kmsDirect('kms:GenerateDataKey'),
  'KMSClient.DescribeKeyCommand': kmsDirect('kms:DescribeKey'),
  'STSClient.AssumeRoleCommand': one((c) => ({ action: 'sts:AssumeRole', resource: str(c, 'RoleArn'), context: {}, enforcedByMoto: true })),
  // answers any caller, whatever its policies
  'STSClient.GetCallerIdentityCommand': async () => [],
};

/** The authorizations AWS performs for `call`. */
export async function authorizationRequests(call: RecordedCall, facts: ResourceLookups): Promise<AuthorizationRequest[]> {
  const model = AUTHORIZATIONS[`${call.client}.${call.command}`];
  if (!model) {
    throw new IamEvaluationError(
      `no authorization model for ${call.client}.${call.command}: got a call the evaluator cannot judge; add it to AUTHORIZATIONS in libs/local-aws/src/iam-evaluation/requests.ts`,
    );
  }
  return model(call, facts);
}
