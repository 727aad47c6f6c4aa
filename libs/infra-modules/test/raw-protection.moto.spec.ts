/**
 * The raw bucket's protection applied for real: `terraform apply` of the local lake stack on moto server over HTTP,
 * then S3 itself refusing to delete a locked object version without the governance bypass. lake.local.json turns Object
 * Lock off (moto refuses the PutObjectLockConfiguration that destroying the lock configuration sends to a non-empty
 * bucket; AWS accepts it): here it is on, as by default, and the bucket is emptied with the bypass before the destroy.
 * moto enforces Object Lock (retention, governance bypass); it evaluates no `ArnNotLike` condition of a bucket
 * policy, so the denies' exemptions are asserted on the applied policy document, not by requests.
 */
import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LakeConfig, manifestKey, rawDatasetPrefix, rawObjectKey } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LakeStack } from '../src';
import { configFile, lakeConfig } from './fixtures';

const run = promisify(execFile);
const STACK = 'nfe-local-lake';
const RAW = 'nfe-local-raw-123456789012';

let aws: LocalAws;
let s3: S3Client;
let config: LakeConfig;
let cwd: string;
let applied = false;

async function terraform(...args: string[]): Promise<string> {
  const env = { ...process.env, ...aws.env, TF_IN_AUTOMATION: '1' };
  try {
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd, env });
    const { stdout } = await run('terraform', [...args, '-input=false', '-no-color', '-auto-approve'], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args[0]} failed:\n${err.stderr || err.message}\n${(err.stdout ?? '').slice(-3000)}`);
  }
}

beforeAll(async () => {
  aws = await startLocalAws();
  s3 = new S3Client(aws.clientConfig);
  const local = configFile('local');
  config = lakeConfig('local', { localEndpoint: aws.endpoint, storage: { ...local.storage, rawProtection: { ...local.storage?.rawProtection, objectLock: { enabled: true } } } });
  // the state sits beside the synth output (../terraform-state): a directory of this file's own
  const app = new App({ outdir: join(mkdtempSync(join(tmpdir(), 'raw-protection-')), 'cdktf.out') });
  new LakeStack(app, STACK, { config });
  app.synth();
  cwd = join(app.outdir, 'stacks', STACK);
  await terraform('apply');
  applied = true;
}, 600_000);

afterAll(async () => {
  try {
    if (applied) {
      // as the break-glass role would: every version, with the governance bypass
      const { Versions = [], DeleteMarkers = [] } = await s3.send(new ListObjectVersionsCommand({ Bucket: RAW }));
      for (const { Key, VersionId } of [...Versions, ...DeleteMarkers]) await s3.send(new DeleteObjectCommand({ Bucket: RAW, Key, VersionId, BypassGovernanceRetention: true }));
      await terraform('destroy');
    }
  } finally {
    s3?.destroy();
    await aws?.stop();
  }
}, 600_000);

const source = () => config.sources[0];
const run1 = () => ({ source: source().name, dataset: source().dataset, ingestDate: '2026-12-01', runId: 'r1' });

describe('raw bucket protection on moto', () => {
  it('applies Object Lock (GOVERNANCE, 365 days), the two denies and lifecycle rules under the data prefix only', async () => {
    expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: RAW }))).ObjectLockConfiguration).toMatchObject({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
    });
    // the deployer: moto's IAM user, which aws_iam_session_context passes through (an assumed role would map to its role ARN)
    const sts = new STSClient(aws.clientConfig);
    const deployer = (await sts.send(new GetCallerIdentityCommand({}))).Arn!;
    sts.destroy();
    const statements = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: RAW }))).Policy!).Statement as { Sid: string; Action: string[]; Condition?: unknown }[];
    expect(statements.filter((s) => s.Sid.startsWith('DenyObjectVersion') || s.Sid.startsWith('DenyVersion'))).toEqual([
      // lake.local.json sets forceDestroy: the deployer may empty the bucket
      expect.objectContaining({ Sid: 'DenyObjectVersionDeletion', Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], Condition: { ArnNotLike: { 'aws:PrincipalArn': [deployer] } } }),
      expect.objectContaining({ Sid: 'DenyVersionProtectionChanges', Condition: { ArnNotLike: { 'aws:PrincipalArn': [deployer] } } }),
    ]);
    const prefix = rawDatasetPrefix(source().name, source().dataset);
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: RAW }))).Rules!;
    expect(rules.map((r) => [r.ID, r.Filter])).toEqual([
      ['abort-incomplete-multipart-uploads', { Prefix: '' }],
      [`intelligent-tiering:${prefix}`, { Prefix: prefix }],
    ]);
  });

  it('locks each new raw object version: deleting it needs the governance bypass (the break-glass role)', async () => {
    const key = rawObjectKey({ ...run1(), part: 0 });
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: RAW, Key: key, Body: '{"id":1}\n' }));
    // (moto answers GetObjectRetention with XML the SDK cannot parse: the object's headers say the same)
    const head = await s3.send(new HeadObjectCommand({ Bucket: RAW, Key: key, VersionId }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    const days = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(365);

    await expect(s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: key, VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // a delete without a version only adds a delete marker: the locked version stays
    await s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: key }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: RAW, Prefix: key }));
    expect(versions.Versions!.map((v) => v.VersionId)).toEqual([VersionId]);
    expect(versions.DeleteMarkers).toHaveLength(1);

    await s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: key, VersionId, BypassGovernanceRetention: true }));
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: RAW, Prefix: key }))).Versions).toBeUndefined();
    // the bookkeeping is locked as well (Object Lock's default retention is bucket-wide)
    const manifest = await s3.send(new PutObjectCommand({ Bucket: RAW, Key: manifestKey(run1()), Body: '{}' }));
    await expect(s3.send(new DeleteObjectCommand({ Bucket: RAW, Key: manifestKey(run1()), VersionId: manifest.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
