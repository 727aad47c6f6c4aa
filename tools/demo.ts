/**
 * The lake end to end on this laptop (`tools/lake demo`), every part real except where noted:
 *  1. local AWS: moto server over HTTP
 *  2. infrastructure: cdktf synth of the `local` environment, `terraform apply` of the lake,
 *     ingestion, processing and query stacks against moto (real Terraform, real provider)
 *  3. source: the demo API over HTTP, API key in Secrets Manager, serving both example datasets: the
 *     seed's NF-e invoices (cursor pages) and shop orders (two arrays, a nested struct; numbered pages)
 *  4. collection: the real collector handler in-process (Lambda invoke needs Docker) with SQS continuations, per source
 *  5. trigger: the real emr-trigger against moto EMR: RunJobFlow from each dataset's deployed launch spec
 *  6. processing: moto's EMR never runs steps, so the very step the trigger submitted runs here with
 *     spark-submit (local[2]) reading and writing the moto buckets through s3a (over an HTTPS proxy:
 *     the Java SDK refuses KMS-encrypted object copies over plain HTTP)
 *  7. results: each dataset's job report, and the served = curated + quarantined check
 *  8. query: every named query deployed to the workgroup (read back from moto's Athena), answered by
 *     Trino 476 (the engine of Athena v3) over the Glue catalog and S3 Terraform created, checked
 *     against an independent computation from the raw records the API served; then bytes read by a
 *     one-day, three-column question on each dataset's main curated table and on its raw JSON table (tools/bytes-read.ts)
 * Options: see DEMO_OPTIONS and `tools/lake demo --help`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DescribeClusterCommand, EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { App } from 'cdktf';
import { FaultPlan, startDemoApi } from '@nfe-lake/demo-api';
import { StartedRun, Trigger, loadConfig } from '@nfe-lake/emr-trigger';
import { buildLakeStacks, workspaceArtefacts } from '@nfe-lake/infra-modules';
import { EXPECTED_ANSWERS, RawPart } from '@nfe-lake/examples';
import { jobReportKey, parseLakeConfig, parseRawObjectKey, SourceConfigInput } from '@nfe-lake/lake-core';
import { answerNamedQueries, formatResult, LocalTrino, startLocalAws, startTlsProxy, startTrino, TlsProxy } from '@nfe-lake/local-aws';
import { gunzipSync } from 'node:zlib';
import { BytesRead, compareBytesRead, formatBytesRead } from './bytes-read';
import { DEMO_OPTIONS } from './demo-options';

const ROOT = resolve(__dirname, '..');
const WORK = join(ROOT, '.lake', 'demo');
const ACCOUNT = '123456789012';
const SPACING_SECONDS = 30;
/** Shop orders come every two minutes over the same days as the invoices. */
const ORDER_SPACING_SECONDS = 120;
const SHOP_CONTRACT = '../../../examples/shop-orders/shop_orders.contract.yaml';
const DAY_MS = 86_400_000;
const DATABASE = 'nfe_local_lake';
const WORKGROUP = 'nfe-local-lake';
/** Where a lake left up with --keep is described, for `tools/lake query`. */
const LAKE_STATE = join(WORK, 'lake.json');
const API_KEY = 'demo-api-key-not-a-secret';
const S3A_PACKAGES = 'org.apache.hadoop:hadoop-aws:3.3.4';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const step = (n: number, text: string) => console.log(`\n[${elapsed()}] ${n}. ${text}`);

/** Runs a command, streaming its output with a prefix; rejects with its tail on failure. */
function exec(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; prefix: string; quiet?: boolean }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!options.quiet) for (const line of chunk.toString().split('\n').filter(Boolean)) console.log(`  ${options.prefix} ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited with ${code}:\n${out.slice(-4000)}`))));
  });
}

async function main() {
  const { values } = parseArgs({ options: DEMO_OPTIONS });
  const invoices = Number(values.invoices);
  if (!Number.isInteger(invoices) || invoices < 1) throw new Error(`--invoices ${values.invoices}: expected a positive integer`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // the data ends yesterday, so the named queries' "last N days" and "yesterday" have answers
  const START = new Date((Math.floor(Date.now() / DAY_MS) - Math.ceil((invoices * SPACING_SECONDS * 1000) / DAY_MS)) * DAY_MS);

  step(1, 'local AWS');
  const aws = await startLocalAws();
  console.log(`  moto server at ${aws.endpoint}`);
  // Trino starts (and is fetched once into the cache) while Terraform applies; awaited in step 8
  const trinoStarting = startTrino({ aws, log: (line) => console.log(`  [trino] ${line}`) });
  trinoStarting.catch(() => undefined);
  let trino: LocalTrino | undefined;
  // a realistic source: one 429 with Retry-After, one 503, and every 10th page with a record that breaks the contract
  const faults: FaultPlan = ({ requestNo }) =>
    requestNo === 3 ? { kind: 'status', status: 429, retryAfter: '1' } : requestNo === 6 ? { kind: 'status', status: 503 } : requestNo % 10 === 0 ? { kind: 'invalid-record' } : undefined;
  // the collector's windows run whole days, up to the day after the last invoice
  const lastIssue = new Date(START.getTime() + invoices * SPACING_SECONDS * 1000);
  const at = new Date(Math.ceil(lastIssue.getTime() / DAY_MS) * DAY_MS);
  // the API's count bounds both routes; the orders inside the collected windows are what it serves of them
  const orders = Math.min(invoices, Math.ceil((at.getTime() - START.getTime()) / (ORDER_SPACING_SECONDS * 1000)));
  const api = await startDemoApi({
    count: invoices,
    apiKey: API_KEY,
    generator: { start: START, spacingSeconds: SPACING_SECONDS },
    orderGenerator: { start: START, spacingSeconds: ORDER_SPACING_SECONDS },
    faults,
  });
  const served: Record<string, number> = { nfe_invoice: invoices, shop_orders: orders };
  const s3 = new S3Client(aws.clientConfig);
  const emr = new EMRClient(aws.clientConfig);
  const secrets = new SecretsManagerClient(aws.clientConfig);
  let tls: TlsProxy | undefined;
  try {
    step(2, 'infrastructure: cdktf synth + terraform apply of the local environment against moto');
    const configDir = join(ROOT, 'libs/infra-modules/config');
    const base = JSON.parse(readFileSync(join(configDir, 'lake.local.json'), 'utf8'));
    const source: SourceConfigInput = {
      name: 'nfe-api',
      dataset: 'nfe_invoice',
      baseUrl: api.url,
      path: '/cursor/invoices',
      recordSelector: 'data',
      pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: 500, totalRecordsPath: 'total' },
      auth: { type: 'api_key', in: 'header', name: 'x-api-key', secret: { from: 'secretsmanager', secretId: 'nfe-local/demo-api-key' } },
      incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: START.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
      http: { requestsPerSecond: 100 },
      schedule: 'rate(1 day)',
    };
    const shopSource: SourceConfigInput = {
      name: 'shop-api',
      dataset: 'shop_orders',
      baseUrl: api.url,
      path: '/page_number/orders',
      recordSelector: 'data',
      pagination: { type: 'page_number', pageSize: 200, totalPagesPath: 'total_pages' },
      auth: source.auth,
      incremental: { cursorField: 'ordered_at', startParam: 'ordered_since', endParam: 'ordered_until', initialValue: START.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
      http: { requestsPerSecond: 100 },
      schedule: 'rate(1 day)',
    };
    const sources = [source, shopSource];
    const config = parseLakeConfig(
      { ...base, localEndpoint: aws.endpoint, datasets: [...base.datasets, { contract: SHOP_CONTRACT }], sources },
      'demo lake config',
      { baseDir: configDir },
    );
    const app = new App({ outdir: join(WORK, 'cdktf.out') });
    buildLakeStacks(app, config, workspaceArtefacts(ROOT));
    app.synth();
    const tfEnv = { ...aws.env, TF_IN_AUTOMATION: '1', TF_DATA_DIR: undefined };
    const terraform = async (stack: string, ...args: string[]) => {
      const cwd = join(WORK, 'cdktf.out', 'stacks', stack);
      await exec('terraform', ['init', '-input=false', '-no-color'], { cwd, env: tfEnv, prefix: '', quiet: true });
      return exec('terraform', [...args, '-input=false', '-no-color'], { cwd, env: tfEnv, prefix: `[${stack}]`, quiet: true });
    };
    const apply = async (name: string) => {
      const out = await terraform(`nfe-local-${name}`, 'apply', '-auto-approve');
      console.log(`  nfe-local-${name}: ${/Apply complete! Resources: [^\n]*/.exec(out)?.[0] ?? 'applied'}`);
    };
    await apply('lake');
    // the compute stacks depend only on the stateful lake stack: apply them side by side
    await Promise.all(['ingestion', 'processing', 'query'].map(apply));
    const bucket = (layer: string) => `nfe-local-${layer}-${ACCOUNT}`;

    step(3, `source: demo API at ${api.url} (${invoices} invoices and ${orders} shop orders from ${START.toISOString()}, API key in Secrets Manager; injects a 429, a 503 and a bad record on every 10th page)`);
    await secrets.send(new CreateSecretCommand({ Name: 'nfe-local/demo-api-key', SecretString: API_KEY }));

    step(4, 'collection: the collector handler per source, schedule tick + SQS continuations, into the raw bucket');
    for (const src of sources) {
      const sourceFile = join(WORK, `source-${src.name}.json`);
      writeFileSync(sourceFile, JSON.stringify(src, null, 2));
      const collected = await exec(
        'node_modules/.bin/tsx',
        [
          'apps/collector-lambda/src/local/run-local.ts',
          ...['--config', sourceFile, '--endpoint', aws.endpoint, '--bucket', bucket('raw'), '--at', at.toISOString()],
          // the exported contract the lake stack deployed, as the collector Lambda reads it
          ...['--contract', `s3://${bucket('artefacts')}/contracts/${src.dataset}.contract.json`],
        ],
        { env: aws.env, prefix: `[collector ${src.name}]`, quiet: true },
      );
      for (const line of collected.split('\n').filter((l) => /^\[|run\(s\)/.test(l))) console.log(`  ${src.name}: ${line}`);
    }
    const manifests = (await s3.send(new ListObjectsV2Command({ Bucket: bucket('raw'), Prefix: '_manifests/' }))).Contents ?? [];
    console.log(`  ${manifests.length} run manifest(s) in s3://${bucket('raw')}/_manifests/`);

    step(5, 'trigger: emr-trigger per dataset (schedule sweep) -> RunJobFlow on moto EMR from its deployed launch spec');
    const runs: { dataset: string; run: StartedRun; stepArgs: string[] }[] = [];
    for (const contract of config.datasets) {
      const triggerConfig = loadConfig({ LAUNCH_SPEC_URI: `s3://${bucket('artefacts')}/launch-spec/${contract.name}.json`, RAW_BUCKET: bucket('raw') });
      const trigger = new Trigger({ s3, emr, config: triggerConfig, logger: new Logger({ serviceName: 'emr-trigger', logLevel: 'WARN' }) });
      const result = await trigger.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
      if (result.started.length === 0) throw new Error(`the trigger of ${contract.name} started nothing: ${JSON.stringify(result)}`);
      const again = await trigger.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
      console.log(`  ${contract.name}: started ${result.started.length} run(s); a second sweep started ${again.started.length} (idempotent)`);
      const run = result.started[0];
      const cluster = (await emr.send(new DescribeClusterCommand({ ClusterId: run.clusterId }))).Cluster;
      console.log(`  cluster ${run.clusterId} "${cluster?.Name}" ${cluster?.ReleaseLabel}, state ${cluster?.Status?.State}, job run ${run.jobRunId} over ${run.manifestKeys.length} manifest(s)`);
      const [sparkStep] = (await emr.send(new ListStepsCommand({ ClusterId: run.clusterId }))).Steps ?? [];
      const stepArgs = sparkStep?.Config?.Args ?? [];
      if (stepArgs[0] !== 'spark-submit') throw new Error(`unexpected EMR step: ${JSON.stringify(sparkStep)}`);
      runs.push({ dataset: contract.name, run, stepArgs });
    }

    step(6, 'processing: each submitted step, run here with spark-submit local[2] over s3a (moto EMR does not run steps)');
    tls = await startTlsProxy(aws.endpoint);
    const venv = join(ROOT, 'tools/with-venv.sh');
    for (const { dataset, stepArgs } of runs) {
      const localArgs = await localSparkArgs(s3, stepArgs, tls);
      const sparkOut = await exec(venv, localArgs, { env: { ...aws.env, PYSPARK_PYTHON: 'python' }, prefix: `[spark ${dataset}]`, quiet: true });
      console.log(`  ${dataset}: ${sparkOut.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? 'job finished'}`);
    }

    step(7, 'results');
    const reports: Record<string, unknown> = {};
    for (const { dataset, run } of runs) {
      const key = jobReportKey(dataset, run.jobRunId);
      const report = JSON.parse(await text(s3, bucket('curated'), key));
      reports[dataset] = report;
      writeFileSync(join(WORK, `job-report-${dataset}.json`), JSON.stringify(report, null, 2));
      console.log(`  ${dataset} job report s3://${bucket('curated')}/${key}:`);
      console.log(`  ${JSON.stringify({ status: report.status, input: report.input, quarantine: report.quarantine })}`);
      for (const [table, t] of Object.entries(report.tables as Record<string, { rows: number; files: number; bytes: number; partitions: string[] }>)) {
        console.log(`  ${table.padEnd(24)} ${String(t.rows).padStart(8)} rows ${String(t.files).padStart(4)} files ${String(t.bytes).padStart(10)} bytes ${t.partitions.length} partitions`);
      }
      // every record the API served is either a curated row of the dataset's main table or quarantined with its reason
      const main = config.datasets.find((c) => c.name === dataset)?.curated[0]?.name;
      if (!main) throw new Error(`${dataset}: the lake config declares no curated table for it`);
      const rows = report.tables[main].rows;
      if (rows + report.quarantine.records !== served[dataset]) {
        throw new Error(`${dataset}: records lost or duplicated: ${rows} curated + ${report.quarantine.records} quarantined != ${served[dataset]} served`);
      }
      console.log(`  check: ${rows} curated ${main} + ${report.quarantine.records} quarantined = ${served[dataset]} served`);
    }

    step(8, 'query: every named query of the workgroup, answered by Trino (Athena v3\'s engine) over the applied catalog');
    trino = await trinoStarting;
    console.log(`  Trino ${trino.endpoint} (pid ${trino.pid})`);
    const athena = new AthenaClient(aws.clientConfig);
    const answers = await answerNamedQueries(trino, athena, WORKGROUP).finally(() => athena.destroy());
    // each dataset's answers, computed next to its example from the raw parts of that dataset
    const parts = await rawParts(s3, bucket('raw'));
    const now = new Date();
    const expected: Record<string, unknown[][]> = {};
    for (const contract of config.datasets) {
      const compute = EXPECTED_ANSWERS[contract.name];
      if (!compute) throw new Error(`no independent computation of the named queries of dataset ${contract.name}: add it next to its example (examples/index.ts EXPECTED_ANSWERS)`);
      Object.assign(expected, compute(parts.filter((p) => parseRawObjectKey(p.key).dataset === contract.name), now));
    }
    const wrong: string[] = [];
    for (const answer of answers) {
      console.log(`\n  ${answer.name} (${answer.result.rows.length} rows, ${answer.result.stats.elapsedMs} ms, ${answer.result.stats.physicalInputBytes} bytes read)`);
      console.log(formatResult(answer.result, 12).replace(/^/gm, '  '));
      if (!(answer.name in expected)) wrong.push(`${answer.name}: its dataset's independent computation (examples/) gives no answer for it`);
      else if (JSON.stringify(answer.result.rows) !== JSON.stringify(expected[answer.name])) {
        wrong.push(`${answer.name}: Trino answered ${JSON.stringify(answer.result.rows).slice(0, 300)}, expected ${JSON.stringify(expected[answer.name]).slice(0, 300)}`);
      }
    }
    if (answers.length === 0) throw new Error(`the workgroup ${WORKGROUP} holds no named queries`);
    if (wrong.length) throw new Error(`named query answers differ from the computation over what the API served:\n  ${wrong.join('\n  ')}`);
    console.log(`\n  check: ${answers.length} named queries answered as computed from the ${invoices} invoices and ${orders} orders served`);
    const day = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const bytesRead: Record<string, BytesRead> = {};
    for (const contract of config.datasets) {
      bytesRead[contract.name] = await compareBytesRead(trino, contract, day, DATABASE);
      console.log(`  ${formatBytesRead(bytesRead[contract.name])}`);
    }
    writeFileSync(join(WORK, 'summary.json'), JSON.stringify({ served, manifests: manifests.length, runs, reports, answers, bytesRead, seconds: (Date.now() - t0) / 1000 }, null, 2));
    console.log(`\n[${elapsed()}] demo complete; artefacts in ${WORK}`);
    if (values.keep) {
      writeFileSync(LAKE_STATE, JSON.stringify({ trino: trino.endpoint, database: DATABASE, workgroup: WORKGROUP, moto: aws.endpoint }, null, 2));
      console.log(`moto at ${aws.endpoint}, demo API at ${api.url}, Trino at ${trino.endpoint} (tools/lake query "SQL"); Ctrl-C to stop`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
  } finally {
    for (const client of [s3, emr, secrets]) client.destroy();
    await api.close();
    await tls?.stop();
    await (trino ?? (await trinoStarting.catch(() => undefined)))?.stop();
    rmSync(LAKE_STATE, { force: true });
    await aws.stop();
  }
}

/** s3a settings for Spark against moto, through the HTTPS proxy. */
function sparkConf(tls: TlsProxy): string[] {
  const conf = {
    'spark.jars.ivy': process.env.LAKE_IVY_DIR ?? join(process.env.HOME ?? '/tmp', '.cache/nfe-lake/ivy'),
    'spark.driver.extraJavaOptions': tls.javaOptions,
    'spark.hadoop.fs.s3a.endpoint': tls.endpoint,
    'spark.hadoop.fs.s3a.endpoint.region': 'us-east-1',
    'spark.hadoop.fs.s3a.path.style.access': 'true',
    'spark.hadoop.fs.s3a.connection.ssl.enabled': 'true',
    'spark.hadoop.fs.s3a.access.key': 'testing',
    'spark.hadoop.fs.s3a.secret.key': 'testing',
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
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
async function localSparkArgs(s3: S3Client, stepArgs: string[], tls: TlsProxy): Promise<string[]> {
  const args = [...stepArgs];
  const fetchArtefact = async (uri: string) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw new Error(`not an s3 uri: ${uri}`);
    const file = join(WORK, 'artefacts', basename(m[2]));
    mkdirSync(join(WORK, 'artefacts'), { recursive: true });
    const body = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    if (!body.Body) throw new Error(`empty artefact ${uri}`);
    writeFileSync(file, Buffer.from(await body.Body.transformToByteArray()));
    return file;
  };
  const out: string[] = ['spark-submit', '--master', 'local[2]', ...sparkConf(tls)];
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

/** Every raw part in the bucket, decompressed: exactly what the API served, as the collector stored it. */
async function rawParts(s3: S3Client, bucket: string): Promise<RawPart[]> {
  const parts: RawPart[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (!Key || Key.startsWith('_')) continue;
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      if (!Body) throw new Error(`empty raw part s3://${bucket}/${Key}`);
      const lines = gunzipSync(Buffer.from(await Body.transformToByteArray())).toString('utf8').split('\n').filter(Boolean);
      parts.push({ key: Key, records: lines.map((l) => JSON.parse(l)) });
    }
    token = page.NextContinuationToken;
  } while (token);
  return parts;
}

async function text(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`empty object s3://${bucket}/${key}`);
  return res.Body.transformToString();
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main().catch((e) => {
  console.error(`\ndemo failed after ${elapsed()}: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
