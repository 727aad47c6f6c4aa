/**
 * Each workload under its own role, on moto enforcing IAM: the local environment applied with real
 * Terraform (as the admin), then the collector and the emr-trigger Lambda entry points run as the
 * Lambda runtime would run them (tools/invoke-lambda.ts in a child process: the deployed function's
 * environment plus its role's STS session credentials, nothing else), and the packaged Spark job runs the step the
 * trigger submitted with spark-submit as the cluster would: with the session credentials of the cluster's instance
 * profile role (tools/local-lake/processing.ts). They do their real work; with one statement taken out of a role's
 * deployed policy, the workload fails with AccessDenied.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DemoApi, startDemoApi } from '@nfe-lake/demo-api';
import { buildLakeStacks, LakeArtefacts } from '@nfe-lake/infra-modules';
import { LakeConfig, parseLakeConfig } from '@nfe-lake/lake-core';
import { assumeRole, ensureTerraformCliConfig, LocalAws, startLocalAws, startTlsProxy } from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { rawParts, recordsPerDataset } from '../local-lake/collection';
import { checkReports, DatasetRun, instanceRoleCredentials, runSparkSteps } from '../local-lake/processing';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const CONFIG_DIR = join(ROOT, 'libs/infra-modules/config');
const API_KEY = 'workloads-iam-test-key';
const DAY_MS = 86_400_000;
const raw = 'nfe-local-raw-123456789012';
const curated = 'nfe-local-curated-123456789012';

let aws: LocalAws;
let api: DemoApi;
let work: string;
let dataset: LakeConfig['datasets'][number];
const functions: Record<'collector' | 'trigger', { role: string; env: Record<string, string> }> = {} as never;

/** Lambda code placeholders (Terraform deploys them, the test runs the handlers from source) and the packaged Spark job (nx run spark:build). */
function artefacts(): LakeArtefacts {
  const dir = (name: string, file: string, text: string) => {
    const d = join(work, 'artefacts', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, file), text);
    return d;
  };
  const job = join(ROOT, 'dist/jobs/spark');
  return { collectorCodeDirectory: dir('collector', 'index.js', 'exports.handler = async () => ({});\n'), triggerCodeDirectory: dir('trigger', 'index.js', 'exports.handler = async () => ({});\n'), jobDirectory: job };
}

async function terraform(stack: string, ...args: string[]): Promise<string> {
  const cwd = join(work, 'cdktf.out', 'stacks', stack);
  const env = { ...process.env, ...aws.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: ensureTerraformCliConfig() };
  try {
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd, env });
    return (await run('terraform', [...args, '-no-color'], { cwd, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args[0]} ${stack} failed:\n${err.stderr || err.message}\n${(err.stdout ?? '').slice(-3000)}`);
  }
}

/** The deployed Lambda functions of a stack, from Terraform's state: role ARN and environment. */
async function deployedFunctions(stack: string): Promise<{ role: string; env: Record<string, string> }[]> {
  const state = JSON.parse(await terraform(stack, 'show', '-json'));
  type Resource = { type: string; values: { role: string; environment: { variables: Record<string, string> }[] } };
  return (state.values.root_module.resources as Resource[]).filter((r) => r.type === 'aws_lambda_function').map((r) => ({ role: r.values.role, env: r.values.environment[0].variables }));
}

/** Runs `entry`'s handler with `event` as the Lambda runtime would: the function's env and its role's credentials only. */
async function invoke(fn: { role: string; env: Record<string, string> }, entry: string, event: object): Promise<{ ok: true; result: unknown } | { ok: false; error: string }> {
  const credentials = await assumeRole(aws, fn.role, 'workload');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...fn.env,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  try {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'tools/invoke-lambda.ts'), join(ROOT, entry), JSON.stringify(event)], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, result: JSON.parse(stdout.trim().split('\n').pop() ?? 'null') };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, error: `${err.stderr ?? ''}\n${err.stdout ?? ''}` };
  }
}

/** Replaces a role's deployed policy with its statements that `keep` accepts; returns a function that restores it. */
async function withoutStatements(roleArn: string, drop: (statement: { Action: string[]; Resource: string[] | string }) => boolean): Promise<() => Promise<void>> {
  const iam = new IAMClient(aws.clientConfig);
  const RoleName = roleArn.split('/').pop()!;
  const original = decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'least-privilege' }))).PolicyDocument!);
  const policy = JSON.parse(original);
  const kept = policy.Statement.filter((s: never) => !drop(s));
  expect(kept.length).toBe(policy.Statement.length - 1);
  await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'least-privilege', PolicyDocument: JSON.stringify({ ...policy, Statement: kept }) }));
  return async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'least-privilege', PolicyDocument: original }));
    iam.destroy();
  };
}

const COLLECTOR = 'apps/collector-lambda/src/index.ts';
const TRIGGER = 'apps/emr-trigger/src/index.ts';
const sweep = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
/** The run the trigger started (its test), which the Spark job's test processes. */
let triggered: DatasetRun['run'] | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'workloads-iam-'));
  aws = await startLocalAws({ enforceIam: true, startTimeoutMs: 120_000 });
  // yesterday's invoices: the collector's first daily window is closed and holds all of them
  const start = new Date((Math.floor(Date.now() / DAY_MS) - 1) * DAY_MS);
  api = await startDemoApi({ count: 200, apiKey: API_KEY, generator: { start, spacingSeconds: 30 } });
  const base = JSON.parse(readFileSync(join(CONFIG_DIR, 'lake.local.json'), 'utf8'));
  const source = {
    ...base.sources[0],
    baseUrl: api.url,
    path: '/cursor/invoices',
    pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: 50, totalRecordsPath: 'total' },
    incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: start.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
    schedule: 'rate(1 day)',
  };
  const config = parseLakeConfig({ ...base, localEndpoint: aws.endpoint, sources: [source] }, 'workloads-iam lake config', { baseDir: CONFIG_DIR });
  dataset = config.datasets[0];
  const app = new App({ outdir: join(work, 'cdktf.out') });
  buildLakeStacks(app, config, artefacts());
  app.synth();
  await terraform('nfe-local-lake', 'apply', '-auto-approve', '-input=false');
  await Promise.all(['ingestion', 'processing'].map((s) => terraform(`nfe-local-${s}`, 'apply', '-auto-approve', '-input=false')));
  const secrets = new SecretsManagerClient(aws.clientConfig);
  await secrets.send(new CreateSecretCommand({ Name: source.auth.secret.secretId, SecretString: API_KEY }));
  secrets.destroy();
  const [collector] = (await deployedFunctions('nfe-local-ingestion')).filter((f) => f.env.SOURCE_CONFIG);
  const [trigger] = (await deployedFunctions('nfe-local-processing')).filter((f) => f.env.LAUNCH_SPEC_URI);
  Object.assign(functions, { collector, trigger });
}, 1_200_000);

afterAll(async () => {
  try {
    await api?.close();
  } finally {
    await aws?.stop();
  }
});

async function keys(prefix: string): Promise<string[]> {
  const s3 = new S3Client(aws.clientConfig);
  try {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: raw, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  } finally {
    s3.destroy();
  }
}

describe('workloads under their own roles on IAM-enforcing moto', () => {
  it('the collector, missing its read of its own state, is refused with AccessDenied', async () => {
    const restore = await withoutStatements(functions.collector.role, (s) => s.Action.includes('s3:GetObject') && String(s.Resource).includes('/_state/'));
    try {
      const out = await invoke(functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
      expect(out).toMatchObject({ ok: false, error: expect.stringMatching(/Access ?Denied/) });
    } finally {
      await restore();
    }
    expect(await keys('_manifests/')).toEqual([]);
  }, 600_000);

  it('the collector writes parts and the run manifest to raw with its role only', async () => {
    const out = await invoke(functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
    expect(out).toEqual({ ok: true, result: expect.anything() });
    const manifests = await keys('_manifests/nfe-api/nfe_invoice/');
    expect(manifests).toHaveLength(1);
    expect((await keys('nfe-api/nfe_invoice/')).length).toBeGreaterThan(0);
  }, 600_000);

  it('the trigger reads the launch spec and manifests and calls RunJobFlow with its role only; without the launch-spec read it is refused', async () => {
    const restore = await withoutStatements(functions.trigger.role, (s) => s.Action.includes('s3:GetObject') && String(s.Resource).includes('/launch-spec/'));
    try {
      expect(await invoke(functions.trigger, TRIGGER, sweep)).toMatchObject({ ok: false, error: expect.stringMatching(/Access ?Denied/) });
    } finally {
      await restore();
    }
    const out = await invoke(functions.trigger, TRIGGER, sweep);
    expect(out).toEqual({ ok: true, result: expect.anything() });
    expect(out).toMatchObject({ ok: true, result: { started: [expect.objectContaining({ clusterId: expect.stringMatching(/^j-/) })] } });
    triggered = (out as { result: { started: DatasetRun['run'][] } }).result.started[0];
  }, 600_000);

  it('the Spark job runs the submitted step as the instance role; without s3:DeleteObject on curated its re-run fails, its curated deletes refused with AccessDenied', async () => {
    if (!triggered) throw new Error('the trigger test started no run: run the file, not this test alone');
    const emr = new EMRClient(aws.clientConfig);
    const s3 = new S3Client(aws.clientConfig);
    const tls = await startTlsProxy(aws.endpoint);
    try {
      const [step] = (await emr.send(new ListStepsCommand({ ClusterId: triggered.clusterId }))).Steps ?? [];
      const runs: DatasetRun[] = [{ dataset: 'nfe_invoice', run: triggered, stepArgs: step?.Config?.Args ?? [] }];
      const sparkWork = join(work, 'spark');
      mkdirSync(sparkWork, { recursive: true });
      await runSparkSteps(runs, { aws, s3, tls, work: sparkWork });
      const collected = recordsPerDataset(await rawParts(s3, raw));
      const reports = await checkReports(runs, [dataset], { s3, curatedBucket: curated, work: sparkWork, expected: collected, what: 'collected' });
      expect(reports.nfe_invoice).toMatchObject({ status: 'succeeded' });
      expect(collected.nfe_invoice).toBe(200);

      const { roleArn } = await instanceRoleCredentials(aws, triggered.clusterId);
      expect(roleArn).toMatch(/:role\/nfe-local-emr-instance$/);
      const restore = await withoutStatements(roleArn, (s) => s.Action.includes('s3:DeleteObject') && String(s.Resource).startsWith(`arn:aws:s3:::${curated}/`));
      try {
        // the JobError names the stage and s3a's bulk-delete failure (its root cause); s3a logs each refused curated key as AccessDenied
        const refused = runSparkSteps(runs, { aws, s3, tls, work: sparkWork });
        await expect(refused).rejects.toThrow(/lake_job: run [^\n]* failed: stage write failed for nfe_invoice [^\n]*caused by [^\n]*MultiObjectDeleteException/);
        await expect(refused).rejects.toThrow(/MultiObjectDeleteSupport: AccessDenied: [^\n]*: Access Denied/);
      } finally {
        await restore();
      }
    } finally {
      await tls.stop();
      s3.destroy();
      emr.destroy();
    }
  }, 1_800_000);
});
