/**
 * Each workload under its own role, on moto enforcing IAM: the local environment applied with real
 * Terraform (as the admin), then the collector and the emr-trigger Lambda entry points run as the
 * Lambda runtime would run them (tools/invoke-lambda.ts in a child process: the deployed function's
 * environment plus its role's STS session credentials, nothing else), and the packaged Spark job runs the step the
 * trigger submitted with spark-submit as the cluster would: with the session credentials of the cluster's instance
 * profile role (tools/local-lake/processing.ts). They do their real work; with one statement taken out of a role's
 * deployed policy, the workload fails with AccessDenied.
 */
import { EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTlsProxy } from '@nfe-lake/local-aws';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rawParts, recordsPerDataset } from '../local-lake/collection';
import { checkReports, DatasetRun, instanceRoleCredentials, runSparkSteps } from '../local-lake/processing';
import { actions, COLLECTOR, deployEnforcedLake, EnforcedLake, invokeLambda, LambdaFunction, ROOT, roleSession, SWEEP, TRIGGER, withoutStatement } from './enforced-lake';

const raw = 'nfe-local-raw-123456789012';
const curated = 'nfe-local-curated-123456789012';

let lake: EnforcedLake;
/** The run the trigger started (its test), which the Spark job's test processes. */
let triggered: DatasetRun['run'] | undefined;

const invoke = async (fn: LambdaFunction, entry: string, event: object) => invokeLambda(lake.aws, fn, entry, event, await roleSession(lake.aws, fn));

beforeAll(async () => {
  // the packaged Spark job (nx run spark:build): the Spark test runs what Terraform deployed
  lake = await deployEnforcedLake({ name: 'workloads-iam', apiKey: 'workloads-iam-test-key', jobDirectory: join(ROOT, 'dist/jobs/spark') });
}, 1_200_000);

afterAll(async () => {
  await lake?.close();
});

async function keys(prefix: string): Promise<string[]> {
  const s3 = new S3Client(lake.aws.clientConfig);
  try {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: raw, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  } finally {
    s3.destroy();
  }
}

describe('workloads under their own roles on IAM-enforcing moto', () => {
  it('the collector, missing its read of its own state, is refused with AccessDenied', async () => {
    const restore = await withoutStatement(lake.aws, lake.functions.collector.role, (s) => actions(s).includes('s3:GetObject') && String(s.Resource).includes('/_state/'));
    try {
      const out = await invoke(lake.functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
      expect(out).toMatchObject({ ok: false, error: expect.stringMatching(/Access ?Denied/) });
    } finally {
      await restore();
    }
    expect(await keys('_manifests/')).toEqual([]);
  }, 600_000);

  it('the collector writes parts and the run manifest to raw with its role only', async () => {
    const out = await invoke(lake.functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
    expect(out).toEqual({ ok: true, result: expect.anything() });
    const manifests = await keys('_manifests/nfe-api/nfe_invoice/');
    expect(manifests).toHaveLength(1);
    expect((await keys('nfe-api/nfe_invoice/')).length).toBeGreaterThan(0);
  }, 600_000);

  it('the trigger reads the launch spec and manifests and calls RunJobFlow with its role only; without the launch-spec read it is refused', async () => {
    const restore = await withoutStatement(lake.aws, lake.functions.trigger.role, (s) => actions(s).includes('s3:GetObject') && String(s.Resource).includes('/launch-spec/'));
    try {
      expect(await invoke(lake.functions.trigger, TRIGGER, SWEEP)).toMatchObject({ ok: false, error: expect.stringMatching(/Access ?Denied/) });
    } finally {
      await restore();
    }
    const out = await invoke(lake.functions.trigger, TRIGGER, SWEEP);
    expect(out).toEqual({ ok: true, result: expect.anything() });
    expect(out).toMatchObject({ ok: true, result: { started: [expect.objectContaining({ clusterId: expect.stringMatching(/^j-/) })] } });
    triggered = (out as { result: { started: DatasetRun['run'][] } }).result.started[0];
  }, 600_000);

  it('the Spark job runs the submitted step as the instance role; without s3:DeleteObject on curated its re-run fails, its curated deletes refused with AccessDenied', async () => {
    if (!triggered) throw new Error('the trigger test started no run: run the file, not this test alone');
    const emr = new EMRClient(lake.aws.clientConfig);
    const s3 = new S3Client(lake.aws.clientConfig);
    const tls = await startTlsProxy(lake.aws.endpoint);
    try {
      const [step] = (await emr.send(new ListStepsCommand({ ClusterId: triggered.clusterId }))).Steps ?? [];
      const runs: DatasetRun[] = [{ dataset: 'nfe_invoice', run: triggered, stepArgs: step?.Config?.Args ?? [] }];
      const sparkWork = join(lake.work, 'spark');
      mkdirSync(sparkWork, { recursive: true });
      await runSparkSteps(runs, { aws: lake.aws, s3, tls, work: sparkWork });
      const collected = recordsPerDataset(await rawParts(s3, raw));
      const reports = await checkReports(runs, [lake.dataset], { s3, curatedBucket: curated, work: sparkWork, expected: collected, what: 'collected' });
      expect(reports.nfe_invoice).toMatchObject({ status: 'succeeded' });
      expect(collected.nfe_invoice).toBe(200);

      const { roleArn } = await instanceRoleCredentials(lake.aws, triggered.clusterId);
      expect(roleArn).toMatch(/:role\/nfe-local-emr-instance$/);
      const restore = await withoutStatement(lake.aws, roleArn, (s) => actions(s).includes('s3:DeleteObject') && String(s.Resource).startsWith(`arn:aws:s3:::${curated}/`));
      try {
        // the JobError names the stage and s3a's bulk-delete failure (its root cause); s3a logs each refused curated key as AccessDenied
        const refused = runSparkSteps(runs, { aws: lake.aws, s3, tls, work: sparkWork });
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
