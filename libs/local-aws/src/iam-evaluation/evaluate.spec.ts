import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalAws, startLocalAws } from '../moto';
import { assertAllowed, evaluateWorkloadCalls } from './evaluate';
import { RecordedCall } from './recorder';

const ACCOUNT = '123456789012';
const KEY_ID = 'local-aws-evaluate-spec';
let aws: LocalAws;
let secretArn: string;
const iamClients: { destroy(): void }[] = [];

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const rootOnly = { Sid: 'AccountAdministersKeyViaIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

async function createRole(name: string, statements: object[]): Promise<string> {
  const iam = new IAMClient(aws.clientConfig);
  iamClients.push(iam);
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'least-privilege', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  return role(name);
}

async function createKey(statements: object[]): Promise<string> {
  const kms = new KMSClient(aws.clientConfig);
  try {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    return (await kms.send(new CreateKeyCommand({ Policy: policy, Description: KEY_ID }))).KeyMetadata!.Arn!;
  } finally {
    kms.destroy();
  }
}

const call = (client: string, command: string, input: Record<string, unknown>, output?: RecordedCall['output']): RecordedCall => ({
  client,
  command,
  input,
  output,
  accessKeyId: 'ASIASESSION',
});
const putObject = (keyArn: string) =>
  call('S3Client', 'PutObjectCommand', { Bucket: 'lake-raw', Key: 'a/part-1.gz', Body: '[body]' }, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, BucketKeyEnabled: true });
const evaluate = (roleArn: string, calls: RecordedCall[], workload = 'collector') =>
  evaluateWorkloadCalls(aws, { workload, roleArn, sessionName: 'workload', accessKeyId: 'ASIASESSION', calls });

beforeAll(async () => {
  aws = await startLocalAws({ startTimeoutMs: 120_000 });
  const secrets = new SecretsManagerClient(aws.clientConfig);
  secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'api/key', SecretString: 'k' }))).ARN!;
  secrets.destroy();
}, 180_000);
afterAll(async () => {
  iamClients.forEach((c) => c.destroy());
  await aws?.stop();
});

describe('evaluateWorkloadCalls', () => {
  it('allows what the role and the key policy grant; the S3 call itself is left to moto', async () => {
    const key = await createKey([rootOnly]);
    const roleArn = await createRole('allowed', [
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api/key-??????`] },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey*'], Resource: [key] },
    ]);
    const evaluation = await evaluate(roleArn, [call('SecretsManagerClient', 'GetSecretValueCommand', { SecretId: 'api/key' }, { ARN: secretArn }), putObject(key)]);
    expect(evaluation.decisions.map((d) => [d.request.action, d.request.resource, d.result])).toEqual([
      ['secretsmanager:GetSecretValue', secretArn, 'Allowed'],
      ['s3:PutObject', 'arn:aws:s3:::lake-raw/a/part-1.gz', undefined],
      ['kms:GenerateDataKey', key, 'Allowed'],
    ]);
    // with an S3 Bucket Key the encryption context is the bucket's ARN
    expect(evaluation.decisions[2].request.context).toMatchObject({ 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::lake-raw' });
    expect(() => assertAllowed(evaluation)).not.toThrow();
  }, 60_000);

  it('names the workload, action, resource, call and reason of a request no identity statement allows', async () => {
    const key = await createKey([rootOnly]);
    const roleArn = await createRole('no-data-key', [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key] }]);
    const evaluation = await evaluate(roleArn, [putObject(key)]);
    expect(() => assertAllowed(evaluation)).toThrow(
      `collector: 1 request(s) AWS would deny:\n  kms:GenerateDataKey on ${key} (S3Client.PutObjectCommand; kms:ViaService=s3.us-east-1.amazonaws.com, kms:CallerAccount=${ACCOUNT}, ` +
        'kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::lake-raw, kms:EncryptionContextKeys=aws:s3:arn): ImplicitlyDenied: no statement of the identity policies allows it',
    );
  }, 60_000);

  it("denies a KMS request the identity policy allows when the key policy neither names the role nor delegates to the account", async () => {
    const key = await createKey([{ Sid: 'OnlyAdmin', Effect: 'Allow', Principal: { AWS: role('key-admin') }, Action: 'kms:*', Resource: '*' }]);
    const roleArn = await createRole('not-in-key-policy', [{ Effect: 'Allow', Action: ['kms:GenerateDataKey*'], Resource: [key] }]);
    const [, decision] = (await evaluate(roleArn, [putObject(key)])).decisions;
    expect(decision).toMatchObject({ request: { action: 'kms:GenerateDataKey' }, result: 'ImplicitlyDenied', reason: expect.stringContaining('resource policy') });
  }, 60_000);

  it("names the key policy's statement that explicitly denies a request, with its condition evaluated", async () => {
    const key = await createKey([
      rootOnly,
      { Sid: 'OnlyThroughS3', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } },
    ]);
    const roleArn = await createRole('direct-decrypt', [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key] }]);
    const evaluation = await evaluate(roleArn, [
      call('S3Client', 'GetObjectCommand', { Bucket: 'lake-raw', Key: 'a' }, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key }),
      call('KMSClient', 'DecryptCommand', { KeyId: key }),
    ]);
    expect(evaluation.decisions.map((d) => [d.request.call, d.request.action, d.result])).toEqual([
      ['S3Client.GetObjectCommand', 's3:GetObject', undefined],
      ['S3Client.GetObjectCommand', 'kms:Decrypt', 'Allowed'],
      ['KMSClient.DecryptCommand', 'kms:Decrypt', 'ExplicitlyDenied'],
    ]);
    expect(evaluation.decisions[2].reason).toBe('explicit deny in the resource policy statement OnlyThroughS3');
  }, 60_000);

  it('judges the KMS requests SQS makes as the caller for a queue encrypted with a key, against the key policy too', async () => {
    const key = await createKey([rootOnly]);
    const sqs = new SQSClient(aws.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'continuations', Attributes: { KmsMasterKeyId: key } }));
    sqs.destroy();
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:continuations`;
    const roleArn = await createRole('sender', [{ Effect: 'Allow', Action: ['kms:GenerateDataKey*'], Resource: [key] }]);
    const evaluation = await evaluate(roleArn, [call('SQSClient', 'SendMessageCommand', { QueueUrl, MessageBody: '{}' }, { MessageId: 'm-1' })]);
    expect(evaluation.decisions.map((d) => [d.request.action, d.request.resource, d.request.context['kms:ViaService'], d.result])).toEqual([
      ['sqs:SendMessage', queueArn, undefined, undefined],
      ['kms:GenerateDataKey', key, 'sqs.us-east-1.amazonaws.com', 'Allowed'],
      ['kms:Decrypt', key, 'sqs.us-east-1.amazonaws.com', 'ImplicitlyDenied'],
    ]);
    expect(evaluation.decisions[1].request.context).toMatchObject({ 'kms:EncryptionContext:aws:sqs:arn': queueArn });
  }, 60_000);

  it('judges RunJobFlow by its request tags and each role it passes by the service it is passed to', async () => {
    const roleArn = await createRole('trigger', [
      { Effect: 'Allow', Action: ['elasticmapreduce:RunJobFlow'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/nfe-lake': 'nfe-local' } } },
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [role('emr-service')], Condition: { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com*' } } },
    ]);
    const runJobFlow = (tag: string) => call('EMRClient', 'RunJobFlowCommand', { Name: 'job', ServiceRole: 'emr-service', Tags: [{ Key: 'nfe-lake', Value: tag }] }, { JobFlowId: 'j-1' });
    const evaluation = await evaluate(roleArn, [runJobFlow('nfe-local'), runJobFlow('other')], 'emr-trigger');
    expect(evaluation.decisions.map((d) => [d.request.action, d.request.context, d.result])).toEqual([
      ['elasticmapreduce:RunJobFlow', { 'aws:RequestTag/nfe-lake': 'nfe-local', 'aws:TagKeys': ['nfe-lake'] }, 'Allowed'],
      ['iam:PassRole', { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' }, 'ImplicitlyDenied'],
      ['elasticmapreduce:RunJobFlow', { 'aws:RequestTag/nfe-lake': 'other', 'aws:TagKeys': ['nfe-lake'] }, 'ImplicitlyDenied'],
      ['iam:PassRole', { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' }, 'ImplicitlyDenied'],
    ]);
    expect(() => assertAllowed(evaluation)).toThrow(/^emr-trigger: 3 request\(s\) AWS would deny:\n {2}iam:PassRole on arn:aws:iam::123456789012:role\/emr-service \(EMRClient.RunJobFlowCommand; /);
  }, 60_000);

  it('refuses a call signed with another key than the role session, and a call it has no model for', async () => {
    const roleArn = await createRole('refusals', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
    await expect(evaluate(roleArn, [{ ...call('S3Client', 'ListObjectsV2Command', { Bucket: 'b' }), accessKeyId: 'AKIAADMIN' }])).rejects.toThrow(
      "invalid calls of collector: got S3Client.ListObjectsV2Command signed with access key 'AKIAADMIN', not its role session's 'ASIASESSION'; run the workload with its role's credentials only",
    );
    await expect(evaluate(roleArn, [call('S3Client', 'CreateBucketCommand', { Bucket: 'b' })])).rejects.toThrow(
      'no authorization model for S3Client.CreateBucketCommand: got a call the evaluator cannot judge; add it to AUTHORIZATIONS in libs/local-aws/src/iam-evaluation/requests.ts',
    );
    await expect(evaluate(roleArn, [call('S3Client', 'GetObjectCommand', { Bucket: 'b' })])).rejects.toThrow(
      'invalid S3Client.GetObjectCommand call: got no Key in its input; the SDK requires it',
    );
  }, 60_000);

  it("fails naming the request when iam-simulate refuses to evaluate it (here, a resource of the wrong type)", async () => {
    const roleArn = await createRole('wrong-resource', [{ Effect: 'Allow', Action: ['elasticmapreduce:RunJobFlow', 'iam:PassRole'], Resource: '*' }]);
    await expect(evaluate(roleArn, [call('EMRClient', 'RunJobFlowCommand', { Name: 'job', AutoScalingRole: 'arn:aws:s3:::not-a-role' })], 'emr-trigger')).rejects.toThrow(
      /^cannot evaluate emr-trigger's iam:PassRole on arn:aws:s3:::not-a-role \(EMRClient.RunJobFlowCommand\): iam-simulate refused the request: /,
    );
  }, 60_000);
});
