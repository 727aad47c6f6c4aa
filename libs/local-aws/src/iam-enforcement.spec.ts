/**
 * moto server in IAM-enforcing mode: the admin it starts with, a role assumed through STS that gets
 * exactly what its policy says on S3 and SQS, and what is refused.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { assumeRole } from './assume-role';
import { LocalAws, LocalAwsError, startLocalAws } from './moto';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ enforceIam: true, startTimeoutMs: 120_000 });
}, 180_000);
afterAll(() => aws?.stop());

/** A role trusted by Lambda only (as the lake's are) with `statements`, assumed by the admin. */
async function roleWith(name: string, statements: object[]) {
  const iam = new IAMClient(aws.clientConfig);
  try {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    return { ...aws.clientConfig, credentials: await assumeRole(aws, Role!.Arn!, name) };
  } finally {
    iam.destroy();
  }
}

describe('moto enforcing IAM', () => {
  it('grants an assumed role what its policy allows on S3 and refuses the rest with AccessDenied', async () => {
    const admin = new S3Client(aws.clientConfig);
    await admin.send(new CreateBucketCommand({ Bucket: 'enforced' }));
    const s3 = new S3Client(await roleWith('put-only', [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::enforced/*' }]));
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'a.txt', Body: 'a' }));
      await expect(s3.send(new DeleteObjectCommand({ Bucket: 'enforced', Key: 'a.txt' }))).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'enforced' }))).rejects.toMatchObject({ name: 'AccessDenied' });
      // the admin still may
      expect((await admin.send(new ListObjectsV2Command({ Bucket: 'enforced' }))).KeyCount).toBe(1);
    } finally {
      s3.destroy();
      admin.destroy();
    }
  }, 120_000);

  it('authorizes SQS against the queue, and checks only the key for Secrets Manager', async () => {
    const admin = { sqs: new SQSClient(aws.clientConfig), secrets: new SecretsManagerClient(aws.clientConfig) };
    const { QueueUrl } = await admin.sqs.send(new CreateQueueCommand({ QueueName: 'enforced' }));
    const { ARN } = await admin.secrets.send(new CreateSecretCommand({ Name: 'enforced', SecretString: 's' }));
    const config = await roleWith('send-only', [
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:123456789012:enforced` },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ARN },
    ]);
    const role = { sqs: new SQSClient(config), secrets: new SecretsManagerClient(config) };
    try {
      await role.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
      // moto answers SQS's JSON protocol with its query-protocol XML error (<Code>AccessDenied</Code>), which the
      // SDK cannot parse: the status is what remains
      await expect(role.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      expect((await role.secrets.send(new GetSecretValueCommand({ SecretId: 'enforced' }))).SecretString).toBe('s');
    } finally {
      for (const c of [...Object.values(admin), ...Object.values(role)]) c.destroy();
    }
  }, 120_000);

  it('refuses unknown credentials, and a reset that would delete the admin', async () => {
    const stranger = new S3Client({ ...aws.clientConfig, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      await expect(stranger.send(new ListObjectsV2Command({ Bucket: 'enforced' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    } finally {
      stranger.destroy();
    }
    expect(aws.enforcesIam).toBe(true);
    expect(aws.env.AWS_ACCESS_KEY_ID).toBe(aws.clientConfig.credentials.accessKeyId);
    await expect(aws.reset()).rejects.toThrow(LocalAwsError);
  }, 120_000);
});
