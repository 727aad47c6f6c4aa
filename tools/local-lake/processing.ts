import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DescribeClusterCommand, EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { StartedRun, Trigger, loadConfig } from '@nfe-lake/emr-trigger';
import { DatasetContract, jobReportKey } from '@nfe-lake/lake-core';
import { assumeRole, AwsCredentials, LocalAws, TlsProxy } from '@nfe-lake/local-aws';
import { exec, ROOT } from './exec';
import { clientConfigAs, credentialsEnv, DeployedFunction } from './workloads';

const S3A_PACKAGES = 'org.apache.hadoop:hadoop-aws:3.3.4';

export interface DatasetRun {
  readonly dataset: string;
  readonly run: StartedRun;
  readonly stepArgs: string[];
}

interface JobReport {
  readonly status: string;
  readonly input: unknown;
  readonly quarantine: { readonly records: number };
  readonly tables: Record<string, { rows: number; files: number; bytes: number; partitions: string[] }>;
}

/**
 * The real emr-trigger per dataset (schedule sweep, twice: the second must start nothing) -> RunJobFlow on moto EMR from
 * the deployed launch spec, run as the deployed function: its environment and its role's session credentials only.
 * `aws` (the admin) then reads the cluster and its step back.
 */
export async function triggerRuns(datasets: readonly DatasetContract[], triggers: readonly DeployedFunction[], aws: LocalAws): Promise<DatasetRun[]> {
  const runs: DatasetRun[] = [];
  const emr = new EMRClient(aws.clientConfig);
  try {
    for (const contract of datasets) {
      const fn = triggers.find((t) => t.env.LAUNCH_SPEC_URI?.endsWith(`/launch-spec/${contract.name}.json`));
      if (!fn) throw new Error(`no deployed emr-trigger launches ${contract.name} (deployed: ${triggers.map((t) => t.functionName).join(', ') || 'none'})`);
      const asTrigger = clientConfigAs(aws, fn.credentials);
      const [triggerS3, triggerEmr] = [new S3Client(asTrigger), new EMRClient(asTrigger)];
      const trigger = new Trigger({ s3: triggerS3, emr: triggerEmr, config: loadConfig(fn.env), logger: new Logger({ serviceName: 'emr-trigger', logLevel: 'WARN' }) });
      try {
        const result = await trigger.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
        if (result.started.length === 0) throw new Error(`the trigger of ${contract.name} started nothing (did its source serve no records?): ${JSON.stringify(result)}`);
        const again = await trigger.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
        console.log(`  ${contract.name}: ${fn.functionName} as ${fn.roleArn} started ${result.started.length} run(s); a second sweep started ${again.started.length} (idempotent)`);
        const run = result.started[0];
        const cluster = (await emr.send(new DescribeClusterCommand({ ClusterId: run.clusterId }))).Cluster;
        console.log(`  cluster ${run.clusterId} "${cluster?.Name}" ${cluster?.ReleaseLabel}, state ${cluster?.Status?.State}, job run ${run.jobRunId} over ${run.manifestKeys.length} manifest(s)`);
        const [sparkStep] = (await emr.send(new ListStepsCommand({ ClusterId: run.clusterId }))).Steps ?? [];
        const stepArgs = sparkStep?.Config?.Args ?? [];
        if (stepArgs[0] !== 'spark-submit') throw new Error(`unexpected EMR step: ${JSON.stringify(sparkStep)}`);
        runs.push({ dataset: contract.name, run, stepArgs });
      } finally {
        triggerS3.destroy();
        triggerEmr.destroy();
      }
    }
  } finally {
    emr.destroy();
  }
  return runs;
}

/**
 * Each submitted step, run here with spark-submit local[2] over s3a (moto's EMR never runs steps), as the cluster
 * would run it: with the session credentials of its instance profile's role (s3a and the job's boto3 calls), nothing
 * else. `aws` (the admin) reads the cluster's instance profile and fetches the step's artefacts, as EMR does itself.
 */
export async function runSparkSteps(runs: readonly DatasetRun[], options: { aws: LocalAws; s3: S3Client; tls: TlsProxy; work: string }) {
  const venv = join(ROOT, 'tools/with-venv.sh');
  for (const { dataset, run, stepArgs } of runs) {
    const { roleArn, credentials } = await instanceRoleCredentials(options.aws, run.clusterId);
    const localArgs = await localSparkArgs(options.s3, stepArgs, options.tls, options.work, credentials);
    const env = { ...options.aws.env, ...credentialsEnv(credentials), PYSPARK_PYTHON: 'python' };
    console.log(`  ${dataset}: spark-submit as ${roleArn} (the cluster's instance profile role, STS session)`);
    const sparkOut = await exec(venv, localArgs, { env, prefix: `[spark ${dataset}]`, quiet: true });
    console.log(`  ${dataset}: ${sparkOut.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? 'job finished'}`);
  }
}

/** The role of the cluster's instance profile (what EMR gives the nodes) and that role's STS session credentials. */
export async function instanceRoleCredentials(aws: LocalAws, clusterId: string): Promise<{ roleArn: string; credentials: AwsCredentials }> {
  const emr = new EMRClient(aws.clientConfig);
  const iam = new IAMClient(aws.clientConfig);
  try {
    const profile = (await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }))).Cluster?.Ec2InstanceAttributes?.IamInstanceProfile;
    if (!profile) throw new Error(`cluster ${clusterId} has no instance profile: the launch spec's JobFlowRole names it`);
    const name = profile.slice(profile.lastIndexOf('/') + 1);
    const roleArn = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Roles?.[0]?.Arn;
    if (!roleArn) throw new Error(`instance profile ${name} of cluster ${clusterId} holds no role`);
    return { roleArn, credentials: await assumeRole(aws, roleArn, `emr-${clusterId}`) };
  } finally {
    emr.destroy();
    iam.destroy();
  }
}

/**
 * Prints each dataset's job report (saved to `<work>/job-report-<dataset>.json`) and fails unless every record
 * `expected` counts for it (`what`: served by the API, or collected) is a row of its main curated table or quarantined.
 */
export async function checkReports(
  runs: readonly DatasetRun[],
  datasets: readonly DatasetContract[],
  options: { s3: S3Client; curatedBucket: string; work: string; expected: Record<string, number>; what: string },
): Promise<Record<string, JobReport>> {
  const reports: Record<string, JobReport> = {};
  for (const { dataset, run } of runs) {
    const key = jobReportKey(dataset, run.jobRunId);
    const res = await options.s3.send(new GetObjectCommand({ Bucket: options.curatedBucket, Key: key }));
    if (!res.Body) throw new Error(`empty job report s3://${options.curatedBucket}/${key}`);
    const report = JSON.parse(await res.Body.transformToString()) as JobReport;
    reports[dataset] = report;
    writeFileSync(join(options.work, `job-report-${dataset}.json`), JSON.stringify(report, null, 2));
    console.log(`  ${dataset} job report s3://${options.curatedBucket}/${key}:`);
    console.log(`  ${JSON.stringify({ status: report.status, input: report.input, quarantine: report.quarantine })}`);
    for (const [table, t] of Object.entries(report.tables)) {
      console.log(`  ${table.padEnd(24)} ${String(t.rows).padStart(8)} rows ${String(t.files).padStart(4)} files ${String(t.bytes).padStart(10)} bytes ${t.partitions.length} partitions`);
    }
    const main = datasets.find((c) => c.name === dataset)?.curated[0]?.name;
    if (!main) throw new Error(`${dataset}: the lake config declares no curated table for it`);
    const rows = report.tables[main].rows;
    const expected = options.expected[dataset] ?? 0;
    if (rows + report.quarantine.records !== expected) {
      throw new Error(`${dataset}: records lost or duplicated: ${rows} curated + ${report.quarantine.records} quarantined != ${expected} ${options.what}`);
    }
    console.log(`  check: ${rows} curated ${main} + ${report.quarantine.records} quarantined = ${expected} ${options.what}`);
  }
  return reports;
}

/** Where spark-submit keeps the packages it resolves (with-venv.sh sets it beside the venvs). */
const ivyDir = () => process.env.LAKE_IVY_DIR ?? join(process.env.HOME ?? '/tmp', '.cache/nfe-lake/ivy');

/**
 * Resolves the steps' --packages into the ivy cache with spark-submit itself (a script that does nothing), so a
 * fresh machine fetches them while something else runs.
 */
export async function fetchSparkPackages(work: string): Promise<void> {
  const noop = join(work, 'fetch-packages.py');
  mkdirSync(work, { recursive: true });
  writeFileSync(noop, '');
  await exec(join(ROOT, 'tools/with-venv.sh'), ['spark-submit', '--master', 'local[1]', '--packages', S3A_PACKAGES, '--conf', `spark.jars.ivy=${ivyDir()}`, noop], { prefix: '[spark packages]', quiet: true });
}

/** s3a settings for Spark against moto, through the HTTPS proxy, signing with `credentials` (an STS session's). */
function sparkConf(tls: TlsProxy, credentials: AwsCredentials): string[] {
  if (!credentials.sessionToken) throw new Error('spark-submit runs with a role\'s session credentials: give them with their session token');
  const conf = {
    'spark.jars.ivy': ivyDir(),
    'spark.driver.extraJavaOptions': tls.javaOptions,
    'spark.hadoop.fs.s3a.endpoint': tls.endpoint,
    'spark.hadoop.fs.s3a.endpoint.region': 'us-east-1',
    'spark.hadoop.fs.s3a.path.style.access': 'true',
    'spark.hadoop.fs.s3a.connection.ssl.enabled': 'true',
    'spark.hadoop.fs.s3a.access.key': credentials.accessKeyId,
    'spark.hadoop.fs.s3a.secret.key': credentials.secretAccessKey,
    'spark.hadoop.fs.s3a.session.token': credentials.sessionToken,
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider',
    'spark.hadoop.fs.s3a.change.detection.mode': 'none',
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '4',
  };
  return ['--packages', S3A_PACKAGES, ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`])];
}

/**
 * The EMR step's spark-submit, made local: cluster deploy mode -> local[2]; the entry point and
 * --py-files are fetched from the artefacts bucket (EMR reads them from S3 itself); s3:// -> s3a://.
 */
async function localSparkArgs(s3: S3Client, stepArgs: string[], tls: TlsProxy, work: string, credentials: AwsCredentials): Promise<string[]> {
  const args = [...stepArgs];
  const fetchArtefact = async (uri: string) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw new Error(`not an s3 uri: ${uri}`);
    const file = join(work, 'artefacts', basename(m[2]));
    mkdirSync(join(work, 'artefacts'), { recursive: true });
    const body = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    if (!body.Body) throw new Error(`empty artefact ${uri}`);
    writeFileSync(file, Buffer.from(await body.Body.transformToByteArray()));
    return file;
  };
  const out: string[] = ['spark-submit', '--master', 'local[2]', ...sparkConf(tls, credentials)];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--deploy-mode') {
      i++;
      continue;
    }
    if (arg === '--py-files') {
      out.push(arg, await fetchArtefact(args[++i]));
      continue;
    }
    if (/^s3:\/\/.+\.py$/.test(arg) && out.every((a) => !a.endsWith('.py'))) {
      out.push(await fetchArtefact(arg));
      continue;
    }
    out.push(arg.startsWith('s3://') ? `s3a://${arg.slice(5)}` : arg);
  }
  return out;
}
