/**
 * The harness of the IAM specs: the local environment applied with real Terraform (as the admin) on moto enforcing
 * IAM, the demo API serving yesterday's invoices behind an API key, and the deployed Lambda functions read back from
 * Terraform's state, run as the Lambda runtime would run them.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DemoApi, startDemoApi } from '@nfe-lake/demo-api';
import { buildLakeStacks, LakeArtefacts } from '@nfe-lake/infra-modules';
import { LakeConfig, parseLakeConfig } from '@nfe-lake/lake-core';
import { assumeRole, AwsCredentials, ensureTerraformCliConfig, LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { credentialsEnv, deployedFunctions } from '../local-lake/workloads';

const run = promisify(execFile);
export const ROOT = resolve(__dirname, '../..');
const CONFIG_DIR = join(ROOT, 'libs/infra-modules/config');
const DAY_MS = 86_400_000;

export const COLLECTOR = 'apps/collector-lambda/src/index.ts';
export const TRIGGER = 'apps/emr-trigger/src/index.ts';
/** The trigger's scheduled sweep event. */
export const SWEEP = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

/** A deployed Lambda function: its role and environment. */
export interface LambdaFunction {
  readonly role: string;
  readonly env: Record<string, string>;
}

export type LambdaResult = { ok: true; result: unknown } | { ok: false; error: string };

export interface EnforcedLake {
  readonly aws: LocalAws;
  readonly api: DemoApi;
  readonly work: string;
  readonly dataset: LakeConfig['datasets'][number];
  readonly functions: { readonly collector: LambdaFunction; readonly trigger: LambdaFunction };
  /** Stops the API and moto. */
  close(): Promise<void>;
}

export interface EnforcedLakeOptions {
  /** Names the work directory. */
  readonly name: string;
  readonly apiKey: string;
  /** The packaged Spark job (`nx run spark:build`). @default - a placeholder: Terraform deploys it, nothing runs it */
  readonly jobDirectory?: string;
}

/** Lambda code placeholders (Terraform deploys them, the specs run the handlers from source) and the job's directory. */
function artefacts(work: string, jobDirectory: string | undefined): LakeArtefacts {
  const dir = (name: string, file: string, text: string) => {
    const d = join(work, 'artefacts', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, file), text);
    return d;
  };
  let job = jobDirectory;
  if (!job) {
    job = dir('spark', 'main.py', 'print("lake job")\n');
    writeFileSync(join(job, 'lake_job.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
  }
  const placeholder = 'exports.handler = async () => ({});\n';
  return { collectorCodeDirectory: dir('collector', 'index.js', placeholder), triggerCodeDirectory: dir('trigger', 'index.js', placeholder), jobDirectory: job };
}

async function terraform(aws: LocalAws, work: string, stack: string, ...args: string[]): Promise<string> {
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

/** The deployed Lambda functions of a stack (tools/local-lake's reading of its local Terraform state): role ARN and environment. */
async function lambdaFunctions(aws: LocalAws, work: string, stack: string): Promise<LambdaFunction[]> {
  return (await deployedFunctions(aws, work, stack)).map((fn) => ({ role: fn.roleArn, env: fn.env }));
}

/**
 * moto enforcing IAM, the demo API with 200 of yesterday's invoices (the collector's first daily window is closed and
 * holds all of them), the local environment's lake, ingestion and processing stacks applied by the admin for one
 * cursor source, and the source's API key stored as its secret.
 */
export async function deployEnforcedLake(options: EnforcedLakeOptions): Promise<EnforcedLake> {
  const work = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const aws = await startLocalAws({ enforceIam: true, startTimeoutMs: 120_000 });
  let api: DemoApi | undefined;
  try {
    const start = new Date((Math.floor(Date.now() / DAY_MS) - 1) * DAY_MS);
    api = await startDemoApi({ count: 200, apiKey: options.apiKey, generator: { start, spacingSeconds: 30 } });
    const base = JSON.parse(readFileSync(join(CONFIG_DIR, 'lake.local.json'), 'utf8'));
    const source = {
      ...base.sources[0],
      baseUrl: api.url,
      path: '/cursor/invoices',
      pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: 50, totalRecordsPath: 'total' },
      incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: start.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
      schedule: 'rate(1 day)',
    };
    const config = parseLakeConfig({ ...base, localEndpoint: aws.endpoint, sources: [source] }, `${options.name} lake config`, { baseDir: CONFIG_DIR });
    const app = new App({ outdir: join(work, 'cdktf.out') });
    buildLakeStacks(app, config, artefacts(work, options.jobDirectory));
    app.synth();
    await terraform(aws, work, 'nfe-local-lake', 'apply', '-auto-approve', '-input=false');
    await Promise.all(['ingestion', 'processing'].map((s) => terraform(aws, work, `nfe-local-${s}`, 'apply', '-auto-approve', '-input=false')));
    const secrets = new SecretsManagerClient(aws.clientConfig);
    await secrets.send(new CreateSecretCommand({ Name: source.auth.secret.secretId, SecretString: options.apiKey }));
    secrets.destroy();
    const [collector] = (await lambdaFunctions(aws, work, 'nfe-local-ingestion')).filter((f) => f.env.SOURCE_CONFIG);
    const [trigger] = (await lambdaFunctions(aws, work, 'nfe-local-processing')).filter((f) => f.env.LAUNCH_SPEC_URI);
    const served = api;
    const close = async () => {
      try {
        await served.close();
      } finally {
        await aws.stop();
      }
    };
    return { aws, api, work, dataset: config.datasets[0], functions: { collector, trigger }, close };
  } catch (e) {
    await api?.close();
    await aws.stop();
    throw e;
  }
}

/** The environment the Lambda runtime gives a function: its own variables and its role's session credentials only. */
function lambdaEnv(aws: LocalAws, fn: LambdaFunction, credentials: AwsCredentials): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...fn.env,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    ...credentialsEnv(credentials),
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
}

export interface InvokeOptions {
  /** Variables added to the function's environment. @default - none */
  readonly env?: Record<string, string>;
  /** Node options before the entry (`--import <preload>`). @default - none */
  readonly nodeArgs?: readonly string[];
}

/**
 * Runs `entry`'s handler with `event` in a child process as the Lambda runtime would (tools/invoke-lambda.ts): the
 * function's environment and its role's STS session credentials (assumed by the admin as `sessionName`) only.
 */
export async function invokeLambda(
  aws: LocalAws,
  fn: LambdaFunction,
  entry: string,
  event: object,
  credentials: AwsCredentials,
  options: InvokeOptions = {},
): Promise<LambdaResult> {
  const env = { ...lambdaEnv(aws, fn, credentials), ...options.env };
  const args = [...(options.nodeArgs ?? []), join(ROOT, 'tools/invoke-lambda.ts'), join(ROOT, entry), JSON.stringify(event)];
  try {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, result: JSON.parse(stdout.trim().split('\n').pop() ?? 'null') };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, error: `${err.stderr ?? ''}\n${err.stdout ?? ''}` };
  }
}

/** The role's session credentials, assumed by the admin. */
export const roleSession = (aws: LocalAws, fn: LambdaFunction, sessionName = 'workload') => assumeRole(aws, fn.role, sessionName);

export type Statement = { Sid?: string; Action: string[] | string; Resource: string[] | string; Condition?: Record<string, Record<string, string>> };

/** A statement's actions as a list (IAM allows a single string). */
export const actions = (s: Statement) => [s.Action].flat();

/**
 * Replaces a role's deployed policy (`least-privilege`) with `edit`'s statements, which must differ from the deployed
 * ones; returns a function that restores the deployed policy.
 */
export async function withStatements(aws: LocalAws, roleArn: string, edit: (statements: Statement[]) => Statement[]): Promise<() => Promise<void>> {
  const iam = new IAMClient(aws.clientConfig);
  const RoleName = roleArn.split('/').pop()!;
  const PolicyName = 'least-privilege';
  const original = decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument!);
  const policy = JSON.parse(original);
  const edited = edit(structuredClone(policy.Statement));
  if (JSON.stringify(edited) === JSON.stringify(policy.Statement)) throw new Error(`the edit left ${RoleName}'s policy as deployed: the test would prove nothing`);
  await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify({ ...policy, Statement: edited }) }));
  return async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: original }));
    iam.destroy();
  };
}

/** `withStatements` taking out exactly one statement, the one `drop` accepts. */
export function withoutStatement(aws: LocalAws, roleArn: string, drop: (statement: Statement) => boolean): Promise<() => Promise<void>> {
  return withStatements(aws, roleArn, (all) => {
    const kept = all.filter((s) => !drop(s));
    if (kept.length !== all.length - 1) throw new Error(`expected to take out one statement of ${roleArn}'s policy, took out ${all.length - kept.length}`);
    return kept;
  });
}
