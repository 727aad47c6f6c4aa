/**
 * Bytes read by one business day's three columns over N days of NF-e data (issue 10's goal: curated
 * <= 1% of raw over 30 days): the curated Parquet table prunes to one `dt` partition and three column
 * chunks; the raw JSON table, partitioned by the collector window, reads every part.
 *  1. raw: N days of the NF-e example's generated invoices in the collector's layout (lake-core's
 *     rawObjectKey/manifestKey, one run per day; jobs/spark/tools/write-raw-fixture.ts), cached
 *  2. the packaged Spark job over them (spark-submit local[2], the lake config's processing settings)
 *  3. moto, `terraform apply` of the lake and query stacks (the Glue catalog and the workgroup), the
 *     raw parts and the curated tables uploaded where the tables say
 *  4. Trino over that catalog: tools/bytes-read.ts's question on the middle day, bytes read from its
 *     query statistics. Prints and saves bench/results/bytes-read.json.
 *   npx tsx bench/bytes-read-bench.ts [--days 30] [--spacing-seconds 6] [--parts-per-run 4] [--driver-memory 4g]
 * (--spacing-seconds 6: 14,400 invoices a day, 432,000 over 30 days.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { App } from 'cdktf';
import { nfeInvoice } from '@nfe-lake/examples';
import { buildLakeStacks } from '@nfe-lake/infra-modules';
import { parseLakeConfig, tablePrefix } from '@nfe-lake/lake-core';
import { ensureTerraformCliConfig, LocalAws, LocalTrino, startLocalAws, startTrino } from '@nfe-lake/local-aws';
import { compareBytesRead, formatBytesRead } from '../tools/bytes-read';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const CACHE = process.env.LAKE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? tmpdir(), '.cache'), 'nfe-lake');
const CONFIG_DIR = join(ROOT, 'libs/infra-modules/config');
// the dataset's exported contract (format 2), as the deployed job reads it
const CONTRACT = join(ROOT, 'examples/contracts/nfe_invoice.contract.json');
const FIRST_DAY = '2026-01-01'; // write-raw-fixture's first window and the generator's first issue date
const DAY_SECONDS = 86_400;

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '30' },
    'spacing-seconds': { type: 'string', default: '6' },
    'parts-per-run': { type: 'string', default: '4' },
    'driver-memory': { type: 'string', default: '4g' },
  },
});
const positive = (name: 'days' | 'spacing-seconds' | 'parts-per-run') => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`invalid --${name}: got ${values[name]}; use a positive integer`);
  return n;
};
const [days, spacing, partsPerRun] = [positive('days'), positive('spacing-seconds'), positive('parts-per-run')];
if (DAY_SECONDS % spacing !== 0) throw new Error(`invalid --spacing-seconds: got ${spacing}; use a divisor of 86400, so each day's invoices are one run`);
const perDay = DAY_SECONDS / spacing;

const t0 = Date.now();
const log = (line: string) => console.log(`[bytes-read ${((Date.now() - t0) / 1000).toFixed(0)}s] ${line}`);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

async function sh(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  try {
    return (await run(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} failed:\n${(err.stderr || err.message).slice(-4000)}\n${(err.stdout ?? '').slice(-2000)}`);
  }
}

/** Raw parts and manifests in the collector's layout, one run per day; cached by the arguments. */
async function generateRaw(source: string): Promise<{ root: string; manifests: string[] }> {
  const root = join(CACHE, 'bench', `bytes-read-raw-${source}-${days}d-${spacing}s-${partsPerRun}p`);
  const keysFile = join(root, 'manifest-keys.txt');
  if (!existsSync(keysFile)) {
    log(`generating ${days} days x ${perDay} invoices into ${root}`);
    rmSync(root, { recursive: true, force: true });
    const out = await sh('npx', [
      ...['tsx', 'jobs/spark/tools/write-raw-fixture.ts', '--out', root, '--source', source],
      ...['--invoices', String(days * perDay), '--runs', String(days), '--parts-per-run', String(partsPerRun), '--spacing-seconds', String(spacing)],
    ]);
    writeFileSync(keysFile, out);
  }
  return { root, manifests: readFileSync(keysFile, 'utf8').split('\n').filter(Boolean) };
}

async function main() {
  ensureTerraformCliConfig(); // providers only from the offline mirror
  const configInput = JSON.parse(readFileSync(join(CONFIG_DIR, 'lake.local.json'), 'utf8'));
  const source = configInput.sources.find((s: { dataset: string }) => s.dataset === nfeInvoice.name)?.name;
  if (!source) throw new Error(`${join(CONFIG_DIR, 'lake.local.json')} has no source of dataset ${nfeInvoice.name}`);
  const raw = await generateRaw(source);
  const rawFiles = files(raw.root).filter((f) => f.endsWith('.jsonl.gz'));
  const rawBytes = rawFiles.reduce((s, f) => s + statSync(join(raw.root, f)).size, 0);
  log(`raw: ${days * perDay} invoices, ${rawFiles.length} parts, ${rawBytes} bytes gzip`);

  const work = mkdtempSync(join(tmpdir(), 'bytes-read-bench-'));
  let aws: LocalAws | undefined;
  let trino: LocalTrino | undefined;
  let trinoStarting: Promise<LocalTrino> | undefined;
  const tfEnv = () => ({ ...process.env, ...aws!.env, TF_IN_AUTOMATION: '1' });
  const terraform = async (stack: string, ...args: string[]) => {
    const cwd = join(work, 'cdktf.out', 'stacks', stack);
    await sh('terraform', ['init', '-input=false', '-no-color'], { cwd, env: tfEnv() });
    return sh('terraform', args, { cwd, env: tfEnv() });
  };
  try {
    // 2. the job, from its package, with the lake config's processing settings
    aws = await startLocalAws();
    const config = parseLakeConfig({ ...configInput, localEndpoint: aws.endpoint, query: { ...configInput.query, firstDate: FIRST_DAY } }, 'bench lake config', { baseDir: CONFIG_DIR });
    const dist = join(work, 'dist');
    await sh(join(ROOT, 'tools/with-venv.sh'), ['python', 'jobs/spark/tools/package.py', '--out', dist]);
    // synthesised before the job, so a config problem shows in seconds; only the lake and query stacks
    // are applied, so the Lambdas' code directories stay empty
    const app = new App({ outdir: join(work, 'cdktf.out') });
    const emptyDir = (name: string) => {
      mkdirSync(join(work, 'unused-artefacts', name), { recursive: true });
      return join(work, 'unused-artefacts', name);
    };
    buildLakeStacks(app, config, { collectorCodeDirectory: emptyDir('collector'), triggerCodeDirectory: emptyDir('trigger'), jobDirectory: dist });
    app.synth();
    const curatedRoot = join(work, 'curated');
    const p = config.processing;
    const jobStart = Date.now();
    log(`running the job over ${raw.manifests.length} manifests (spark-submit local[2], driver ${values['driver-memory']})`);
    await sh(join(ROOT, 'tools/with-venv.sh'), [
      ...['spark-submit', '--master', 'local[2]', '--driver-memory', values['driver-memory']!, '--conf', 'spark.ui.enabled=false'],
      ...['--py-files', join(dist, 'lake_job.zip'), join(dist, 'main.py'), '--contract', CONTRACT],
      ...['--raw-root', raw.root, '--curated-root', curatedRoot, '--analytics-root', join(work, 'analytics'), '--job-run-id', 'bytes-read-bench'],
      ...['--compression', p.parquetCompression, '--table-format', p.tableFormat, '--target-file-size-mb', String(p.targetFileSizeMb), '--max-bad-record-ratio', String(p.maxBadRecordRatio)],
      ...raw.manifests.flatMap((k) => ['--manifest-key', k]),
    ]);
    const jobSeconds = (Date.now() - jobStart) / 1000;
    const report = JSON.parse(readFileSync(join(curatedRoot, `_reports/${nfeInvoice.name}/job_run=bytes-read-bench/report.json`), 'utf8'));
    log(`job done in ${jobSeconds.toFixed(0)} s: ${JSON.stringify(report.input)}`);

    // 3. the catalog Terraform applies, and the data where its tables say
    trinoStarting = startTrino({ aws });
    trinoStarting.catch(() => undefined);
    const tfStart = Date.now();
    const [lakeStack, queryStack] = ['lake', 'query'].map((s) => `${config.project}-${config.environment}-${s}`);
    for (const stack of [lakeStack, queryStack]) await terraform(stack, 'apply', '-auto-approve', '-input=false', '-no-color');
    log(`terraform apply of ${lakeStack} and ${queryStack}: ${((Date.now() - tfStart) / 1000).toFixed(0)} s`);
    const outputs = JSON.parse(await terraform(lakeStack, 'output', '-json')) as Record<string, { value: string }>;
    const s3 = new S3Client(aws.clientConfig);
    const bucket = (layer: string) => outputs[`${layer}_bucket`].value;
    const upload = async (dir: string, keys: string[], to: string) => {
      for (let i = 0; i < keys.length; i += 8) {
        await Promise.all(keys.slice(i, i + 8).map((k) => s3.send(new PutObjectCommand({ Bucket: to, Key: k, Body: readFileSync(join(dir, k)) }))));
      }
    };
    await upload(raw.root, rawFiles, bucket('raw'));
    const main = nfeInvoice.curated[0].name;
    const curatedDir = join(curatedRoot, tablePrefix(nfeInvoice.name, main));
    const curatedFiles = files(curatedDir).filter((f) => !f.split('/').some((s) => s.startsWith('_') || s.startsWith('.')));
    const curatedBytes = curatedFiles.reduce((s, f) => s + statSync(join(curatedDir, f)).size, 0);
    await upload(curatedRoot, curatedFiles.map((f) => relative(curatedRoot, join(curatedDir, f))), bucket('curated'));
    s3.destroy();
    log(`uploaded ${rawFiles.length} raw parts and ${curatedFiles.length} files of ${main} (${curatedBytes} bytes)`);

    // 4. the question, on the middle day
    trino = await trinoStarting;
    const day = new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + Math.floor(days / 2) * DAY_SECONDS * 1000).toISOString().slice(0, 10);
    const bytes = await compareBytesRead(trino, nfeInvoice, day, outputs.glue_database.value);
    log(formatBytesRead(bytes));
    const results = {
      measuredAt: new Date().toISOString(),
      data: { days, invoicesPerDay: perDay, invoices: days * perDay, rawParts: rawFiles.length, rawGzipBytes: rawBytes, curatedTable: main, curatedFiles: curatedFiles.length, curatedBytes },
      job: { seconds: jobSeconds, input: report.input, quarantine: report.quarantine.records, settings: { master: 'local[2]', driverMemory: values['driver-memory'], compression: p.parquetCompression, targetFileSizeMb: p.targetFileSizeMb } },
      bytesRead: bytes,
      machine: { cpus: cpus().length, loadAverage1mAtEnd: Number(loadavg()[0].toFixed(2)) },
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'bytes-read.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    // a Trino still starting when a step failed is stopped too
    await (trino ?? (await trinoStarting?.catch(() => undefined)))?.stop();
    // moto keeps its state in memory: stopping it drops what Terraform applied
    await aws?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
