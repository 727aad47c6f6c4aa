import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutBucketEncryptionCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LocalAws, startLocalAws } from '../moto';
import { RECORD_CALLS_PRELOAD } from './index';
import { installCallRecorder, readCallLog, RecordedCall } from './recorder';

const ROOT = resolve(__dirname, '../../../..');
let aws: LocalAws;
let keyArn: string;

beforeAll(async () => {
  aws = await startLocalAws({ startTimeoutMs: 120_000 });
  const kms = new KMSClient(aws.clientConfig);
  keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kms.destroy();
}, 180_000);
afterAll(() => aws?.stop());

describe('installCallRecorder', () => {
  it('records each call with its input, the plain fields of its output and the signing key; a refused call with its error', async () => {
    const calls: RecordedCall[] = [];
    const stop = installCallRecorder((c) => calls.push(c));
    const s3 = new S3Client(aws.clientConfig);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'recorded' }));
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'recorded',
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'recorded', Key: 'a/b.json', Body: '{}' }));
      await (await s3.send(new GetObjectCommand({ Bucket: 'recorded', Key: 'a/b.json' }))).Body!.transformToString();
      await expect(s3.send(new GetObjectCommand({ Bucket: 'recorded', Key: 'missing' }))).rejects.toThrow();
    } finally {
      s3.destroy();
      stop();
    }
    expect(calls.map((c) => `${c.client}.${c.command}`)).toEqual([
      'S3Client.CreateBucketCommand',
      'S3Client.PutBucketEncryptionCommand',
      'S3Client.PutObjectCommand',
      'S3Client.GetObjectCommand',
      'S3Client.GetObjectCommand',
    ]);
    // the object's key comes from the response, as S3 names it: what the implicit KMS request is judged on
    expect(calls[2]).toMatchObject({ input: { Bucket: 'recorded', Key: 'a/b.json', Body: '[body]' }, output: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn } });
    expect(calls[3]).toMatchObject({ output: { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn } });
    expect(calls[4]).toMatchObject({ error: 'NoSuchKey', input: { Key: 'missing' } });
    expect(calls[4].output).toBeUndefined();
    expect(new Set(calls.map((c) => c.accessKeyId))).toEqual(new Set([aws.clientConfig.credentials.accessKeyId]));
  }, 60_000);

  it('stops delivering to a listener once uninstalled', async () => {
    const calls: RecordedCall[] = [];
    installCallRecorder((c) => calls.push(c))();
    const s3 = new S3Client(aws.clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: 'unrecorded' }));
    s3.destroy();
    expect(calls).toEqual([]);
  }, 60_000);
});

describe('the preload (record-calls.ts)', () => {
  it("records a child process's calls to LAKE_AWS_CALL_LOG", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'record-calls-'));
    const log = join(dir, 'calls.jsonl');
    const script = join(dir, 'workload.ts');
    writeFileSync(script, `import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';\nnew S3Client({ forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: 'recorded' }));\n`);
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['--import', RECORD_CALLS_PRELOAD, script], {
      cwd: ROOT,
      env: { ...process.env, ...aws.env, NODE_PATH: join(ROOT, 'node_modules'), LAKE_AWS_CALL_LOG: log },
    });
    expect(readCallLog(log)).toEqual([expect.objectContaining({ client: 'S3Client', command: 'ListObjectsV2Command', input: { Bucket: 'recorded' } })]);
  }, 120_000);

  it('refuses to start without LAKE_AWS_CALL_LOG, and a log line that is not JSON names the file and line', async () => {
    const env = { ...process.env, LAKE_AWS_CALL_LOG: '' };
    await expect(promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['--import', RECORD_CALLS_PRELOAD, '-e', '0'], { cwd: ROOT, env })).rejects.toMatchObject({
      stderr: expect.stringContaining('invalid LAKE_AWS_CALL_LOG'),
    });
    const log = join(mkdtempSync(join(tmpdir(), 'record-calls-')), 'calls.jsonl');
    writeFileSync(log, '{"client":"S3Client"}\nnot json\n');
    expect(() => readCallLog(log)).toThrow(`invalid call log line 2 of ${log}: got not json`);
    expect(readCallLog(join(log, '..', 'absent.jsonl'))).toEqual([]);
  }, 120_000);
});
