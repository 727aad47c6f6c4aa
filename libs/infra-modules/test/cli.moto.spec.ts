/**
 * The real cdktf CLI (the project's cdktf.json and src/main.ts) against moto server over HTTP, offline:
 * synth, deploy of every stack, diff of each (no changes), deploy of one compute stack alone, destroy.
 * No `--skip-provider-lock`: the committed provider lock must keep cdktf off the public registry.
 */
import { AthenaClient, ListWorkGroupsCommand } from '@aws-sdk/client-athena';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LIB = resolve(__dirname, '..');
const ROOT = resolve(LIB, '../..');
const ACCOUNT = '123456789012';
/** Deploy and destroy of every stack: ~4-8 minutes on a loaded 2-core machine (S3 lifecycle and SQS waiters on moto). */
const LONG = 1_800_000;
const STACKS = ['nfe-local-lake', 'nfe-local-ingestion', 'nfe-local-processing', 'nfe-local-query', 'nfe-local-account'];

let aws: LocalAws;
let work: string;
const seconds: Record<string, number> = {};

async function cdktf(...args: string[]): Promise<string> {
  const started = Date.now();
  // CI=1: plain output, no prompts; TF_CLI_CONFIG_FILE and CHECKPOINT_DISABLE come from test/setup.ts
  const env = { ...process.env, ...aws.env, CI: '1', FORCE_COLOR: '0' };
  try {
    const { stdout } = await run('npx', ['cdktf', ...args, '--output', join(work, 'cdktf.out')], { cwd: LIB, env, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`cdktf ${args.join(' ')} failed:\n${err.stderr || err.message}\n${(err.stdout ?? '').slice(-4000)}`);
  } finally {
    seconds[args[0] + (args[1]?.startsWith('nfe-') ? ` ${args[1]}` : '')] = Math.round((Date.now() - started) / 1000);
  }
}

beforeAll(async () => {
  // what `nx run infra-modules:synth` depends on: the Lambda bundles and the Spark job the stacks upload
  const nx = (...args: string[]) => run('npx', ['nx', ...args, '--outputStyle=static'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
  await nx('run-many', '-t', 'bundle', '-p', 'collector-lambda', 'emr-trigger');
  await nx('run', 'spark:build');
  aws = await startLocalAws();
  work = mkdtempSync(join(tmpdir(), 'infra-cli-'));
}, 900_000);

afterAll(async () => {
  console.log(`cdktf CLI on moto, seconds: ${JSON.stringify(seconds)}`);
  await aws?.stop();
});

describe('cdktf CLI on moto (local environment)', () => {
  it('synth: every stack, each with the committed provider lock and a relative state path', async () => {
    await cdktf('synth');
    const stacksDir = join(work, 'cdktf.out', 'stacks');
    expect(readdirSync(stacksDir).sort()).toEqual([...STACKS].sort());
    for (const stack of STACKS) {
      expect(existsSync(join(stacksDir, stack, '.terraform.lock.hcl'))).toBe(true);
      expect(JSON.parse(readFileSync(join(stacksDir, stack, 'cdk.tf.json'), 'utf8')).terraform.backend.local.path).toBe(`../../../terraform-state/${stack}.tfstate`);
    }
  });

  it('deploy: every stack; the outputs give names and ARNs', async () => {
    const outputsFile = join(work, 'outputs.json');
    await cdktf('deploy', 'nfe-local-*', '--auto-approve', '--outputs-file', outputsFile);
    const outputs = JSON.parse(readFileSync(outputsFile, 'utf8'));
    expect(outputs['nfe-local-lake']).toMatchObject({
      raw_bucket: `nfe-local-raw-${ACCOUNT}`,
      raw_bucket_arn: `arn:aws:s3:::nfe-local-raw-${ACCOUNT}`,
      curated_bucket_arn: `arn:aws:s3:::nfe-local-curated-${ACCOUNT}`,
      lake_key_arn: expect.stringMatching(new RegExp(`^arn:aws:kms:us-east-1:${ACCOUNT}:key/[0-9a-f-]+$`)),
      glue_database: 'nfe_local_lake',
      glue_database_arn: `arn:aws:glue:us-east-1:${ACCOUNT}:database/nfe_local_lake`,
    });
    expect(outputs['nfe-local-query']).toMatchObject({ athena_workgroup: 'nfe-local-lake', athena_workgroup_arn: `arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/nfe-local-lake` });
    // state lands beside the synth output (the relative backend path), not in the checkout
    for (const stack of STACKS) expect(existsSync(join(work, 'terraform-state', `${stack}.tfstate`))).toBe(true);
  }, LONG);

  it.each(STACKS)('diff %s: no changes', async (stack) => {
    expect(await cdktf('diff', stack)).toMatch(/No changes\. Your infrastructure matches the configuration\./);
  });

  it('deploy of one compute stack alone, with --ignore-missing-stack-dependencies (its lake stack is deployed)', async () => {
    expect(await cdktf('deploy', 'nfe-local-query', '--auto-approve', '--ignore-missing-stack-dependencies')).toMatch(/No changes\./);
  });

  it('destroy: every stack, nothing left on moto', async () => {
    await cdktf('destroy', 'nfe-local-*', '--auto-approve');
    const s3 = new S3Client(aws.clientConfig);
    const athena = new AthenaClient(aws.clientConfig);
    try {
      expect(((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name)).toEqual([]);
      expect(((await athena.send(new ListWorkGroupsCommand({}))).WorkGroups ?? []).map((w) => w.Name)).not.toContain('nfe-local-lake');
    } finally {
      s3.destroy();
      athena.destroy();
    }
    for (const stack of STACKS) expect(JSON.parse(readFileSync(join(work, 'terraform-state', `${stack}.tfstate`), 'utf8')).resources).toEqual([]);
  }, LONG);
});
