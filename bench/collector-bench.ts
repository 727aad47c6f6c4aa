/**
 * Collector figures: records/s and peak RSS collecting N invoices (default 100k) from the demo API
 * into moto S3 with the real handler, invoked the way Lambda + SQS would. Each scenario runs in a
 * fresh worker process (this script with --worker), the demo API and moto in their own, so a
 * worker's peak RSS is the collector's. Scenarios:
 *   - one-window:    a 900 s Lambda budget, one window holding every invoice;
 *   - continuations: the same window with a 10 s budget per invocation (deadline hand-offs);
 *   - heap-64mb:     one-window with V8's heap capped at 64 MB (memory does not grow with the run).
 * Then, unless --skip-dlt, dlt's REST API source reads the same API into its filesystem destination,
 * from a venv of bench/requirements-dlt.lock that the bench builds in the project cache on first
 * use. Every run is checked: ids unique, count = N.
 * Prints and saves bench/results/collector.json.
 *   npx tsx bench/collector-bench.ts [--count 100000] [--skip-dlt]
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { parseSourceConfig, RunManifest } from '@nfe-lake/lake-core';
import { startLocalAws } from '@nfe-lake/local-aws';
import { createHandler } from '../apps/collector-lambda/src/handler';
import { LocalEventSource, localContext } from '../apps/collector-lambda/src/local/local-lambda';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const ROOT = join(__dirname, '..');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    'skip-dlt': { type: 'boolean', default: false },
    // Internal: run one scenario and print its figures.
    worker: { type: 'string' },
    api: { type: 'string' },
    endpoint: { type: 'string' },
    budget: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const PAGE_SIZE = 1000;
// Invoices are 30 s apart from 2026-01-01: one window that holds all of them.
const WINDOW_SECONDS = Math.ceil((COUNT * 30) / 86_400 + 1) * 86_400;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function startDemoApiProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'apps/demo-api/src/cli.ts'), '--port', '0', '--count', String(COUNT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo API exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /demo invoice API on (http:\/\/\S+)/.exec(chunk.toString());
      if (m) resolve(m[1]);
    });
  });
  child.stdout!.resume();
  return { url, child };
}

async function verify(s3: S3Client, bucket: string, manifests: RunManifest[]): Promise<{ records: number; unique: number }> {
  const ids = new Set<string>();
  let records = 0;
  for (const part of manifests.flatMap((m) => m.parts)) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: part.key }));
    for (const line of gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString().split('\n')) {
      if (!line) continue;
      records += 1;
      ids.add(JSON.parse(line).invoice_id);
    }
  }
  return { records, unique: ids.size };
}

/** Worker: one scenario in this (fresh) process; prints its figures as one JSON line. */
async function worker(scenario: string, apiUrl: string, endpoint: string, budgetSeconds: number) {
  const clientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const sqs = new SQSClient(clientConfig);
  const secrets = { secretsManager: new SecretsManagerClient(clientConfig), ssm: new SSMClient(clientConfig) };
  const bucket = `bench-${scenario}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-${scenario}` }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-${scenario}-dlq` }))).QueueUrl!;
  const source = parseSourceConfig({
    name: 'demo',
    dataset: 'nfe_invoice',
    baseUrl: apiUrl,
    path: '/cursor/invoices',
    recordSelector: 'data',
    pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: PAGE_SIZE, totalRecordsPath: 'total' },
    incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: '2026-01-01T00:00:00Z', windowSeconds: WINDOW_SECONDS, lagSeconds: 0 },
    http: { requestsPerSecond: 1000 },
  });
  const tick = new Date(Date.parse('2026-01-01T00:00:00Z') + WINDOW_SECONDS * 1000);
  const started = Date.now();
  const handler = createHandler({
    source,
    bucket,
    continuationQueueUrl: queueUrl,
    deadLetterQueueUrl: dlqUrl,
    s3,
    sqs,
    secrets,
    now: () => tick.getTime() + (Date.now() - started),
    logger: new Logger({ serviceName: 'bench', logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'bench' }),
  });
  const budgetMs = budgetSeconds * 1000;
  const baselineRssBytes = process.memoryUsage.rss();
  let invocations = 1;
  const t0 = process.hrtime.bigint();
  const manifests = [...(await handler({ scheduledTime: tick.toISOString() }, localContext(budgetMs))).completed];
  await new LocalEventSource(sqs, queueUrl).drain(handler, budgetMs, (r) => {
    invocations += 1;
    manifests.push(...r.completed);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const m = manifests[0];
  console.log(
    JSON.stringify({
      scenario,
      budgetSeconds,
      heapCapMb: null as number | null,
      records: m.records,
      seconds: Math.round(seconds * 100) / 100,
      recordsPerSecond: Math.round(m.records / seconds),
      peakRssMb: mb(peakRssBytes),
      rssBeforeRunMb: mb(baselineRssBytes),
      invocations,
      continuations: m.continuations,
      pages: m.pages,
      parts: m.parts.length,
      s3Mb: mb(m.bytes),
      manifest: m,
    }),
  );
  for (const c of [s3, sqs, secrets.secretsManager, secrets.ssm]) c.destroy();
}

/** What the table shows of a worker's figures line. */
interface ScenarioFigures {
  readonly scenario: string;
  readonly recordsPerSecond: number;
  readonly peakRssMb: number;
  readonly invocations: number;
  readonly parts: number;
}

/** Runs a scenario in a fresh process, then checks what it wrote from S3. */
async function scenario(name: string, apiUrl: string, aws: Awaited<ReturnType<typeof startLocalAws>>, budgetSeconds: number, heapCapMb?: number) {
  const args = [
    ...(heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : []),
    '--import',
    'tsx',
    __filename,
    '--worker',
    name,
    '--api',
    apiUrl,
    '--endpoint',
    aws.endpoint,
    '--budget',
    String(budgetSeconds),
    '--count',
    String(COUNT),
  ];
  const res = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
  if (res.code !== 0) throw new Error(`scenario ${name} failed with exit code ${res.code}`);
  const { manifest, ...figures } = JSON.parse(res.stdout.trim().split('\n').pop()!) as ScenarioFigures & { manifest: RunManifest };
  const s3 = new S3Client(aws.clientConfig);
  const check = await verify(s3, `bench-${name}`, [manifest]);
  s3.destroy();
  if (check.records !== COUNT || check.unique !== COUNT) throw new Error(`${name}: S3 holds ${check.records} records, ${check.unique} unique; expected ${COUNT}`);
  return { ...figures, heapCapMb: heapCapMb ?? null, verified: `${check.unique} unique ids in S3 = ${COUNT} served` };
}

const CACHE = process.env.LAKE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nfe-lake');
const DLT_LOCK = join(__dirname, 'requirements-dlt.lock');

function run(command: string, args: string[]): string {
  const res = spawnSync(command, args, { encoding: 'utf8' });
  if (res.error) throw new Error(`${command}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${res.status}):\n${res.stderr.slice(-4000)}`);
  return res.stdout;
}

/**
 * The peer's Python: a venv of bench/requirements-dlt.lock under the project cache, keyed by the
 * lock's hash and the Python version (like tools/with-venv.sh), built on first use.
 */
function dltPython(): string {
  const base = process.env.LAKE_BASE_PYTHON ?? 'python3';
  const version = run(base, ['-c', 'import sys; print(sys.version_info[:2])']);
  const hash = createHash('sha256').update(readFileSync(DLT_LOCK)).update(version).digest('hex').slice(0, 12);
  const venv = join(CACHE, 'venvs', `dlt-${hash}`);
  if (existsSync(join(venv, 'bin/python'))) return join(venv, 'bin/python');
  console.error(`collector-bench: creating ${venv} from bench/requirements-dlt.lock (first run only)`);
  mkdirSync(join(CACHE, 'venvs'), { recursive: true });
  // Built aside and renamed into place: an interrupted or concurrent first run never leaves a half-built venv at the key.
  const building = `${venv}.building-${process.pid}`;
  try {
    run(base, ['-m', 'venv', building]);
    run(join(building, 'bin/python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', DLT_LOCK]);
    try {
      renameSync(building, venv);
    } catch (e) {
      if (!existsSync(join(venv, 'bin/python'))) throw e; // else a concurrent first run got there first
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return join(venv, 'bin/python');
}

function dltRun(apiUrl: string) {
  const python = dltPython();
  const out = mkdtempSync(join(tmpdir(), 'nfe-lake-bench-dlt-'));
  const res = spawnSync(python, [join(__dirname, 'collector_dlt.py'), apiUrl, out, String(PAGE_SIZE)], { encoding: 'utf8', env: { ...process.env, RUNTIME__LOG_LEVEL: 'WARNING', RUNTIME__DLTHUB_TELEMETRY: 'false' } });
  rmSync(out, { recursive: true, force: true });
  if (res.status !== 0) throw new Error(`dlt run failed:\n${res.stderr}`);
  const figures = JSON.parse(res.stdout.trim().split('\n').pop()!);
  if (figures.unique !== COUNT) throw new Error(`dlt wrote ${figures.records} records, ${figures.unique} unique; expected ${COUNT}`);
  return figures;
}

/** The collector's scenarios and the peer side by side, one row each. */
function table(results: ScenarioFigures[], dlt: Record<string, unknown>): string {
  const rows = [
    ['run', 'records/s', 'peak RSS MB', 'invocations', 'parts'],
    ...results.map((r) => [`collector ${r.scenario}`, r.recordsPerSecond, r.peakRssMb, r.invocations, r.parts]),
    'skipped' in dlt ? [`dlt: skipped (${String(dlt.skipped)})`, '', '', '', ''] : [String(dlt.tool), dlt.recordsPerSecond, dlt.peakRssMb, '-', '-'],
  ].map((row) => row.map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

async function main() {
  if (values.worker) return worker(values.worker, values.api!, values.endpoint!, Number(values.budget));
  const loadBefore = loadavg();
  const api = await startDemoApiProcess();
  const aws = await startLocalAws();
  try {
    const results = [];
    for (const [name, budget, heapCapMb] of [
      ['one-window', 900, undefined],
      ['continuations', 10, undefined],
      ['heap-64mb', 900, 64],
    ] as const) {
      const r = await scenario(name, api.url, aws, budget, heapCapMb);
      console.log(JSON.stringify(r));
      results.push(r);
    }
    const dlt = values['skip-dlt'] ? { skipped: '--skip-dlt' } : dltRun(api.url);
    console.log(JSON.stringify({ dlt }));
    const report = {
      measuredAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim(),
        loadAverage1mBeforeAfter: [loadBefore[0], loadavg()[0]].map((l) => Math.round(l * 10) / 10),
        note: 'cores shared with other work: compare figures within one run, not across runs',
      },
      invoices: COUNT,
      pageSize: PAGE_SIZE,
      collector: results,
      dlt,
    };
    console.log(table(results, dlt));
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results/collector.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`saved bench/results/collector.json`);
  } finally {
    api.child.kill('SIGTERM');
    await aws.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
