/**
 * What moto cannot enforce, judged by an established IAM evaluator: the collector and the emr-trigger
 * run as their own deployed roles on IAM-enforcing moto (as in workloads-iam.moto.spec.ts), every AWS
 * call they make is recorded (libs/local-aws iam-evaluation: an SDK middleware in the workload's
 * process), and each authorization moto does not perform itself (Secrets Manager, EMR, iam:PassRole,
 * the KMS requests S3 and SQS make for the caller, CloudWatch) is evaluated with
 * @cloud-copilot/iam-simulate against the role's policies as IAM holds them and the KMS key policy.
 * A statement taken out of a role's policy that moto lets pass fails the evaluation, naming it.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DemoApi, startDemoApi } from '@nfe-lake/demo-api';
import { buildLakeStacks, LakeArtefacts } from '@nfe-lake/infra-modules';
import { parseLakeConfig } from '@nfe-lake/lake-core';
import {
  assertAllowed,
  assumeRole,
  Decision,
  ensureTerraformCliConfig,
  evaluateWorkloadCalls,
  Evaluation,
  LocalAws,
  readCallLog,
  RECORD_CALLS_PRELOAD,
  RecordedCall,
  startLocalAws,
} from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const CONFIG_DIR = join(ROOT, 'libs/infra-modules/config');
const API_KEY = 'workloads-iam-evaluated-test-key';
const DAY_MS = 86_400_000;

let aws: LocalAws;
let api: DemoApi;
let work: string;
const functions: Record<'collector' | 'trigger', { role: string; env: Record<string, string> }> = {} as never;

/** Lambda code placeholders: Terraform deploys them, the test runs the handlers from source. */
function artefacts(): LakeArtefacts {
  const dir = (name: string, file: string, text: string) => {
    const d = join(work, 'artefacts', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, file), text);
    return d;
  };
  const job = dir('spark', 'main.py', 'print("lake job")\n');
  writeFileSync(join(job, 'lake_job.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
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

/** A workload's run: its result, and the AWS calls it made with its role's session. */
interface RecordedRun {
  readonly out: { ok: true; result: unknown } | { ok: false; error: string };
  readonly calls: RecordedCall[];
  readonly accessKeyId: string;
  readonly sessionName: string;
}

let runs = 0;
/**
 * Runs `entry`'s handler with `event` as the Lambda runtime would (the function's env and its role's
 * credentials only), recording every AWS SDK call of the process (RECORD_CALLS_PRELOAD).
 */
async function invoke(fn: { role: string; env: Record<string, string> }, entry: string, event: object): Promise<RecordedRun> {
  const sessionName = 'workload';
  const credentials = await assumeRole(aws, fn.role, sessionName);
  const log = join(work, `calls-${++runs}.jsonl`);
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
    LAKE_AWS_CALL_LOG: log,
  };
  const args = ['--import', RECORD_CALLS_PRELOAD, join(ROOT, 'tools/invoke-lambda.ts'), join(ROOT, entry), JSON.stringify(event)];
  const recorded = { calls: [] as RecordedCall[], accessKeyId: credentials.accessKeyId, sessionName };
  try {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { ...recorded, out: { ok: true, result: JSON.parse(stdout.trim().split('\n').pop() ?? 'null') }, calls: readCallLog(log) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ...recorded, out: { ok: false, error: `${err.stderr ?? ''}\n${err.stdout ?? ''}` }, calls: readCallLog(log) };
  }
}

type Statement = { Sid?: string; Action: string[]; Resource: string[] | string; Condition?: Record<string, Record<string, string>> };

/** Replaces a role's deployed policy with `edit`'s statements (which must differ); returns a function that restores it. */
async function withStatements(roleArn: string, edit: (statements: Statement[]) => Statement[]): Promise<() => Promise<void>> {
  const iam = new IAMClient(aws.clientConfig);
  const RoleName = roleArn.split('/').pop()!;
  const original = decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'least-privilege' }))).PolicyDocument!);
  const policy = JSON.parse(original);
  const edited = edit(structuredClone(policy.Statement));
  expect(edited).not.toEqual(policy.Statement);
  await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'least-privilege', PolicyDocument: JSON.stringify({ ...policy, Statement: edited }) }));
  return async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'least-privilege', PolicyDocument: original }));
    iam.destroy();
  };
}

const actions = (s: Statement) => [s.Action].flat();

/** The recorded run judged by iam-simulate against the role's policies as IAM holds them now. */
const evaluate = (workload: string, fn: { role: string }, recorded: RecordedRun): Promise<Evaluation> =>
  evaluateWorkloadCalls(aws, { workload, roleArn: fn.role, sessionName: recorded.sessionName, accessKeyId: recorded.accessKeyId, calls: recorded.calls });

/** `action on resource: result` per evaluated request; `(moto)` for those moto authorized itself. */
const summary = (evaluation: Evaluation) =>
  [...new Set(evaluation.decisions.map((d: Decision) => `${d.request.call} -> ${d.request.action}: ${d.result ?? 'enforced by moto'}`))].sort();

const COLLECTOR = 'apps/collector-lambda/src/index.ts';
const TRIGGER = 'apps/emr-trigger/src/index.ts';
const sweep = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'workloads-iam-evaluated-'));
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

describe('workloads judged by iam-simulate where moto does not enforce IAM', () => {
  let collectorRun: RecordedRun;
  let triggerRun: RecordedRun;

  it('the collector runs on moto without its secret read, which the evaluation names; with its deployed policy every call is allowed', async () => {
    const restore = await withStatements(functions.collector.role, (all) => all.filter((s) => !actions(s).includes('secretsmanager:GetSecretValue')));
    try {
      collectorRun = await invoke(functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
      // moto only checks that the session's key is known for Secrets Manager: the run succeeds
      expect(collectorRun.out).toEqual({ ok: true, result: expect.anything() });
      const evaluation = await evaluate('collector', functions.collector, collectorRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        new RegExp(`^collector: 1 request\\(s\\) AWS would deny:\\n  secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:[^ ]+ \\(SecretsManagerClient.GetSecretValueCommand\\): ImplicitlyDenied: no statement of the identity policies allows it$`),
      );
    } finally {
      await restore();
    }
    const evaluation = await evaluate('collector', functions.collector, collectorRun);
    assertAllowed(evaluation);
    const calls = summary(evaluation);
    expect(calls).toEqual(expect.arrayContaining([
      'SecretsManagerClient.GetSecretValueCommand -> secretsmanager:GetSecretValue: Allowed',
      'S3Client.GetObjectCommand -> s3:GetObject: enforced by moto',
      'S3Client.GetObjectCommand -> kms:Decrypt: Allowed',
      'S3Client.PutObjectCommand -> s3:PutObject: enforced by moto',
      'S3Client.PutObjectCommand -> kms:GenerateDataKey: Allowed',
    ]));
    console.log(`collector's calls:\n  ${calls.join('\n  ')}`);
  }, 900_000);

  it("without the collector's KMS statement on the lake key, the data keys S3 asks for its writes are denied", async () => {
    const restore = await withStatements(functions.collector.role, (all) => all.filter((s) => !actions(s).includes('kms:GenerateDataKey*')));
    try {
      const evaluation = await evaluate('collector', functions.collector, collectorRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        /^ {2}kms:GenerateDataKey on arn:aws:kms:us-east-1:123456789012:key\/[-0-9a-f]+ \(S3Client.PutObjectCommand; kms:ViaService=s3.us-east-1.amazonaws.com, .*kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::nfe-local-raw-123456789012.*\): ImplicitlyDenied: no statement of the identity policies allows it$/m,
      );
    } finally {
      await restore();
    }
  }, 300_000);

  it('the trigger calls RunJobFlow on moto without its iam:PassRole of the EMR service role, which the evaluation names; a RunJobFlow tag condition for another prefix denies RunJobFlow', async () => {
    const serviceRolePass = (s: Statement) => actions(s).includes('iam:PassRole') && JSON.stringify(s.Condition ?? {}).includes('elasticmapreduce.amazonaws.com');
    const restore = await withStatements(functions.trigger.role, (all) => all.filter((s) => !serviceRolePass(s)));
    try {
      triggerRun = await invoke(functions.trigger, TRIGGER, sweep);
      expect(triggerRun.out).toMatchObject({ ok: true, result: { started: [expect.objectContaining({ clusterId: expect.stringMatching(/^j-/) })] } });
      const evaluation = await evaluate('emr-trigger', functions.trigger, triggerRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        /^emr-trigger: 1 request\(s\) AWS would deny:\n {2}iam:PassRole on arn:aws:iam::123456789012:role\/\S+ \(EMRClient.RunJobFlowCommand; iam:PassedToService=elasticmapreduce.amazonaws.com\): ImplicitlyDenied: no statement of the identity policies allows it$/,
      );
    } finally {
      await restore();
    }
    const evaluation = await evaluate('emr-trigger', functions.trigger, triggerRun);
    assertAllowed(evaluation);
    const calls = summary(evaluation);
    expect(calls).toEqual(expect.arrayContaining([
      'EMRClient.RunJobFlowCommand -> elasticmapreduce:RunJobFlow: Allowed',
      'EMRClient.RunJobFlowCommand -> iam:PassRole: Allowed',
      'S3Client.GetObjectCommand -> kms:Decrypt: Allowed',
    ]));
    console.log(`emr-trigger's calls:\n  ${calls.join('\n  ')}`);

    const otherPrefix = await withStatements(functions.trigger.role, (all) =>
      all.map((s) => (actions(s).includes('elasticmapreduce:RunJobFlow') ? { ...s, Condition: { StringEquals: { 'aws:RequestTag/nfe-lake': 'another-lake' } } } : s)),
    );
    try {
      const denied = await evaluate('emr-trigger', functions.trigger, triggerRun);
      expect(() => assertAllowed(denied)).toThrow(
        /^emr-trigger: 1 request\(s\) AWS would deny:\n {2}elasticmapreduce:RunJobFlow on \* \(EMRClient.RunJobFlowCommand; .*aws:RequestTag\/nfe-lake=nfe-local, .*\): ImplicitlyDenied: no statement of the identity policies allows it$/,
      );
    } finally {
      await otherPrefix();
    }
  }, 900_000);
});
