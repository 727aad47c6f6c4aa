/**
 * The catalog as analysts meet it: `terraform apply` of the lake and query stacks on moto, a small
 * curated, analytics and raw dataset written where the tables say, then every named query the
 * workgroup holds (read back from moto's Athena) answered by Trino, the engine of Athena v3, and
 * checked against an answer computed here from the rows written. Broken table definitions (a wrong
 * location template, a wrong SerDe, a projection range that misses the data) make the check fail.
 * Last, the lake stack re-applied with Delta curated tables and the Spark job's Delta output placed under
 * them: Trino filters its `dt` with date literals, as analysts do.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { GetTableCommand, GlueClient, Table, UpdateTableCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LakeConfig, rawObjectKey, rawTableName, tableGlueColumns, tablePrefix } from '@nfe-lake/lake-core';
import { answerNamedQueries, lakeCacheDir, LocalAws, LocalTrino, startLocalAws, startTrino } from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildLakeStacks } from '../src';
import { artefactFixtures, configFile, lakeConfig, nfeInvoice } from './fixtures';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const DAY = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const daysAgo = (n: number) => new Date(today.getTime() - n * DAY).toISOString().slice(0, 10);

let aws: LocalAws;
let trino: LocalTrino;
let glue: GlueClient;
let athena: AthenaClient;
let s3: S3Client;
let config: LakeConfig;
let outdir: string;
const applied: string[] = [];
const ROOT = resolve(__dirname, '../../..');
const database = 'nfe_local_lake';
const workgroup = 'nfe-local-lake';

/** Runs a command to its end; a failure shows the end of its stderr and stdout. */
async function sh(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    return (await run(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    const output = `${(err.stderr || err.message).slice(-4000)}\n${(err.stdout ?? '').slice(-3000)}`;
    throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed:\n${output}`);
  }
}

async function terraform(stack: string, ...args: string[]): Promise<void> {
  const cwd = join(outdir, 'stacks', stack);
  const env = { ...process.env, ...aws.env, TF_IN_AUTOMATION: '1' };
  await sh('terraform', ['init', '-input=false', '-no-color'], { cwd, env });
  await sh('terraform', [...args, '-input=false', '-no-color'], { cwd, env });
}

// ---------------------------------------------------------------------------------------------- data

const STATES = ['SP', 'RJ', 'MG'];
/** Curated invoices: per day, how many and how many cancelled (day 40 is outside the 30-day questions). */
const INVOICE_DAYS: Record<number, { invoices: number; cancelled: number }> = { 1: { invoices: 7, cancelled: 2 }, 3: { invoices: 3, cancelled: 1 }, 40: { invoices: 2, cancelled: 2 } };
const invoices = Object.entries(INVOICE_DAYS).flatMap(([ago, d]) =>
  Array.from({ length: d.invoices }, (_, i) => ({ invoice_id: `inv-${ago}-${i}`, status: i < d.cancelled ? 'cancelled' : 'authorized', issuer_state: STATES[i % 3], dt: daysAgo(Number(ago)) })),
);
const revenue = [1, 3, 40].flatMap((ago) => STATES.map((state, i) => ({ issuer_state: state, invoice_count: 10 * ago + i, revenue: `${100 * (i + 1) + ago}.25`, tax: `${i + 1}.10`, dt: daysAgo(ago) })));
const products = [1, 2].flatMap((ago) =>
  Array.from({ length: 12 }, (_, i) => ({ product_code: `P${ago}-${i + 1}`, description: `product ${i + 1}`, quantity: '2.5000', revenue: `${1000 - i}.00`, invoice_count: 12 - i, revenue_rank: i + 1, dt: daysAgo(ago) })),
);
/** Raw parts per window date: records in each part (day 10 is outside the 7-day question). */
const RAW_PARTS: Record<number, number[]> = { 1: [3, 2], 2: [4], 10: [1] };

/** Hive (Glue) column type as Trino spells it, for the scalar types curated and analytics tables use. */
function trinoType(hive: string): string {
  if (hive === 'string') return 'varchar';
  if (hive === 'int') return 'integer';
  if (hive === 'timestamp') return 'timestamp(3)';
  if (/^(bigint|double|boolean|date|decimal\(\d+,\d+\))$/.test(hive)) return hive;
  throw new Error(`no Trino type for Glue type ${hive} in this test`);
}

const literal = (v: unknown) => (v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/**
 * Writes rows as Parquet where a Glue table reads them, the way the job lays them out
 * (`<table location>/dt=<date>/`): into a partitioned scratch table Trino creates at that location, then drops.
 */
async function writeParquet(tableName: string, rows: Record<string, unknown>[]) {
  const table = [...nfeInvoice.curated, ...nfeInvoice.analytics].find((t) => t.name === tableName)!;
  const location = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: tableName }))).Table!.StorageDescriptor!.Location!;
  const columns = tableGlueColumns(table);
  const scratch = `scratch_${tableName}`;
  const ddl = [...columns.map((c) => `${c.name} ${trinoType(c.type)}`), 'dt date'].join(', ');
  await trino.query(`CREATE TABLE ${scratch} (${ddl}) WITH (format = 'PARQUET', external_location = '${location}', partitioned_by = ARRAY['dt'])`, { schema: database });
  const values = rows.map((r) => `(${[...columns.map((c) => `CAST(${literal(r[c.name])} AS ${trinoType(c.type)})`), `DATE ${literal(r.dt)}`].join(', ')})`);
  await trino.query(`INSERT INTO ${scratch} VALUES ${values.join(',\n')}`, { schema: database });
  await trino.query(`DROP TABLE ${scratch}`, { schema: database });
}

async function writeRaw() {
  const source = config.sources[0].name;
  for (const [ago, parts] of Object.entries(RAW_PARTS)) {
    for (const [part, count] of parts.entries()) {
      const ref = { source, dataset: nfeInvoice.name, ingestDate: daysAgo(Number(ago)), runId: `run-${ago}`, part };
      const body = Array.from({ length: count }, (_, i) => JSON.stringify({ invoice_id: `raw-${ago}-${part}-${i}`, status: 'authorized', total_amount: 10.5 })).join('\n');
      await s3.send(new PutObjectCommand({ Bucket: `nfe-local-raw-${ACCOUNT}`, Key: rawObjectKey(ref), Body: gzipSync(`${body}\n`) }));
    }
  }
}

// ------------------------------------------------------------------------------------- expectations

const recent = (days: number) => (r: { dt: string }) => r.dt >= daysAgo(days);
const money = (cents: number) => (cents / 100).toFixed(2);

/** Each named query's answer, computed from the rows written (not by any SQL engine). */
function expectedAnswers(): Record<string, unknown[][]> {
  const byState = STATES.map((state) => {
    const rows = revenue.filter(recent(30)).filter((r) => r.issuer_state === state);
    const cents = (k: 'revenue' | 'tax') => rows.reduce((s, r) => s + Math.round(Number(r[k]) * 100), 0);
    return [state, rows.reduce((s, r) => s + r.invoice_count, 0), money(cents('revenue')), money(cents('tax'))];
  }).sort((a, b) => Number(b[2]) - Number(a[2]));
  const cancellation = Object.entries(INVOICE_DAYS)
    .map(([ago, d]) => ({ dt: daysAgo(Number(ago)), ...d }))
    .filter(recent(30))
    .sort((a, b) => a.dt.localeCompare(b.dt))
    .map((d) => [d.dt, d.invoices, Math.round((d.cancelled * 10000) / d.invoices) / 100]);
  const top = products.filter((p) => p.dt === daysAgo(1) && p.revenue_rank <= 10).map((p) => [p.product_code, p.description, p.quantity, p.revenue, p.invoice_count]);
  const raw = Object.entries(RAW_PARTS)
    .map(([ago, parts]) => [daysAgo(Number(ago)), parts.reduce((a, b) => a + b, 0), parts.length] as [string, number, number])
    .filter(([d]) => d >= daysAgo(7))
    .sort((a, b) => a[0].localeCompare(b[0]));
  return { 'cancellation-rate-by-day': cancellation, 'raw-records-by-ingest-date': raw, 'revenue-by-state-last-30-days': byState, 'top-10-products-yesterday': top };
}

/** Runs every named query of the workgroup through Trino and compares it with the expected answer. */
async function checkNamedQueries() {
  const answers = await answerNamedQueries(trino, athena, workgroup);
  expect(Object.fromEntries(answers.map((a) => [a.name, a.result.rows]))).toEqual(expectedAnswers());
  return answers;
}

// ------------------------------------------------------------------------------------------- set-up

beforeAll(async () => {
  aws = await startLocalAws();
  [glue, athena, s3] = [new GlueClient(aws.clientConfig), new AthenaClient(aws.clientConfig), new S3Client(aws.clientConfig)];
  config = lakeConfig('local', { localEndpoint: aws.endpoint, query: { firstDate: daysAgo(60) } });
  // a directory of its own: the local backend keeps state beside the outdir (../terraform-state), and an outdir
  // directly under the shared tmpdir made every such run on the machine share one state file and its lock
  const app = new App({ outdir: join(mkdtempSync(join(tmpdir(), 'trino-catalog-')), 'cdktf.out') });
  buildLakeStacks(app, config, artefactFixtures());
  app.synth();
  outdir = app.outdir;
  // Trino starts while Terraform applies
  const starting = startTrino({ aws, startTimeoutMs: 900_000 }); // at load ~30 on 2 cores it took over 5 minutes
  starting.catch(() => undefined);
  await terraform('nfe-local-lake', 'apply', '-auto-approve');
  applied.push('nfe-local-lake');
  await terraform('nfe-local-query', 'apply', '-auto-approve');
  applied.push('nfe-local-query');
  trino = await starting;
  await writeParquet('invoices', invoices);
  await writeParquet('daily_revenue_by_state', revenue);
  await writeParquet('top_products_daily', products);
  await writeRaw();
}, 1_800_000);

afterAll(async () => {
  await trino?.stop();
  try {
    for (const stack of applied.reverse()) await terraform(stack, 'destroy', '-auto-approve');
  } finally {
    for (const c of [glue, athena, s3]) c?.destroy();
    await aws?.stop();
  }
}, 900_000);

// ----------------------------------------------------------------------------------------------- tests

/** Applies `change` to a Glue table (as a wrong construct would deploy it), runs `body`, restores the table. */
async function withBrokenTable(name: string, change: (t: Table) => Table, body: () => Promise<void>) {
  const original = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: name }))).Table!;
  const input = (t: Table) => ({ Name: t.Name, Description: t.Description, TableType: t.TableType, Parameters: t.Parameters, PartitionKeys: t.PartitionKeys, StorageDescriptor: t.StorageDescriptor });
  await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input(change(structuredClone(original))) }));
  try {
    await body();
  } finally {
    await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input(original) }));
  }
}

describe('named queries through Trino over the applied catalog', () => {
  it('answers every named query the workgroup holds, as computed from the rows written', async () => {
    const answers = await checkNamedQueries();
    expect(answers.map((a) => a.name)).toEqual(['cancellation-rate-by-day', 'raw-records-by-ingest-date', 'revenue-by-state-last-30-days', 'top-10-products-yesterday']);
    expect(answers.every((a) => a.database === database)).toBe(true);
    // the percentage keeps two decimals (a double, not a decimal(23,1))
    expect(answers.find((a) => a.name === 'cancellation-rate-by-day')!.result.columns.map((c) => c.type)).toEqual(['date', 'bigint', 'double']);
  }, 600_000);

  it('filters date partitions with date literals and arithmetic', async () => {
    const { rows } = await trino.query(`SELECT count(*) FROM invoices WHERE dt >= DATE '${daysAgo(3)}'`, { schema: database });
    expect(rows).toEqual([[INVOICE_DAYS[1].invoices + INVOICE_DAYS[3].invoices]]);
  }, 600_000);

  it('fails when a location template does not match where the data lies', async () => {
    await withBrokenTable(
      'invoices',
      (t) => ({ ...t, Parameters: { ...t.Parameters, 'storage.location.template': t.Parameters!['storage.location.template'].replace('dt=${dt}/', 'dt=${dt}/run=x/') } }),
      () => expect(checkNamedQueries()).rejects.toThrow(/cancellation-rate-by-day/),
    );
  }, 600_000);

  it('fails when a table has the wrong SerDe', async () => {
    await withBrokenTable(
      rawTableName(nfeInvoice.name),
      (t) => ({ ...t, StorageDescriptor: { ...t.StorageDescriptor, SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' } } }),
      () => expect(checkNamedQueries()).rejects.toThrow(/named query "raw-records-by-ingest-date" .* failed/),
    );
  }, 600_000);

  it('fails when the projection range excludes the data', async () => {
    await withBrokenTable(
      'daily_revenue_by_state',
      (t) => ({ ...t, Parameters: { ...t.Parameters, 'projection.dt.range': `${daysAgo(400)},${daysAgo(100)}` } }),
      () => expect(checkNamedQueries()).rejects.toThrow(/revenue-by-state-last-30-days/),
    );
  }, 600_000);
});

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());

describe('a Delta curated table the job wrote, through the catalog the Delta config declares', () => {
  const FIRST_DAY = '2026-01-01'; // write-raw-fixture's first issue date
  /** Invoices per business date (the UTC date of issued_at), from the raw records the job reads. */
  const perDay: Record<string, number> = {};

  beforeAll(async () => {
    // 1. raw: the NF-e example's generated invoices (200, 30 minutes apart: 5 business dates), one collector run
    const work = mkdtempSync(join(tmpdir(), 'trino-delta-'));
    const rawRoot = join(work, 'raw');
    const fixture = ['tsx', 'jobs/spark/tools/write-raw-fixture.ts', '--out', rawRoot, '--invoices', '200', '--spacing-seconds', '1800'];
    const manifests = (await sh('npx', fixture))
      .split('\n')
      .filter(Boolean);
    for (const part of filesUnder(rawRoot).filter((f) => f.endsWith('.jsonl.gz'))) {
      for (const line of gunzipSync(readFileSync(join(rawRoot, part))).toString('utf8').split('\n').filter(Boolean)) {
        const day = new Date(JSON.parse(line).issued_at).toISOString().slice(0, 10);
        perDay[day] = (perDay[day] ?? 0) + 1;
      }
    }
    // 2. the lake stack again with the curated tables as Delta (what LakeDatabase.addDeltaTable declares), applied over
    // the one above: its Glue tables invoices and invoice_items become table_type=DELTA
    const processing = { ...configFile('local').processing, tableFormat: 'delta' as const };
    const deltaConfig = lakeConfig('local', { localEndpoint: aws.endpoint, query: { firstDate: daysAgo(60) }, processing });
    const deltaApp = new App({ outdir: mkdtempSync(join(tmpdir(), 'trino-delta-catalog-')) });
    buildLakeStacks(deltaApp, deltaConfig, artefactFixtures());
    deltaApp.synth();
    cpSync(join(deltaApp.outdir, 'stacks', 'nfe-local-lake'), join(outdir, 'stacks', 'nfe-local-lake'), { recursive: true });
    await terraform('nfe-local-lake', 'apply', '-auto-approve');
    // 3. the packaged job with the Delta config's processing settings (spark-submit local[2], Delta jars from Maven)
    const dist = join(work, 'dist');
    await sh(join(ROOT, 'tools/with-venv.sh'), ['python', 'jobs/spark/tools/package.py', '--out', dist]);
    const p = deltaConfig.processing;
    await sh(join(ROOT, 'tools/with-venv.sh'), [
      ...['spark-submit', '--master', 'local[2]', '--conf', 'spark.ui.enabled=false', '--conf', 'spark.sql.shuffle.partitions=2'],
      ...['--conf', `spark.jars.ivy=${process.env.LAKE_IVY_DIR ?? join(lakeCacheDir(), 'ivy')}`],
      ...['--packages', 'io.delta:delta-spark_2.12:3.2.1', '--py-files', join(dist, 'lake_job.zip'), join(dist, 'main.py')],
      ...['--contract', join(ROOT, 'examples/contracts/nfe_invoice.contract.json'), '--raw-root', rawRoot],
      ...['--curated-root', join(work, 'curated'), '--analytics-root', join(work, 'analytics'), '--job-run-id', 'trino-delta'],
      ...['--table-format', p.tableFormat, '--compression', p.parquetCompression, '--target-file-size-mb', String(p.targetFileSizeMb)],
      ...['--max-bad-record-ratio', String(p.maxBadRecordRatio)],
      ...manifests.flatMap((k) => ['--manifest-key', k]),
    ]);
    // 4. the table as the job wrote it (log and data files), where the Glue table says
    const table = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: 'invoices' }))).Table!;
    const location = table.StorageDescriptor!.Location!;
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*?)\/?$/.exec(location)!;
    const local = join(work, 'curated', tablePrefix(nfeInvoice.name, 'invoices'));
    for (const f of filesUnder(local)) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${f}`, Body: readFileSync(join(local, f)) }));
    }
  }, 2_700_000);

  it('declares the table as Delta with dt a date, and Trino reads dt as a date', async () => {
    const table = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: 'invoices' }))).Table!;
    expect(table.Parameters?.table_type).toBe('DELTA');
    expect(table.StorageDescriptor?.Columns?.find((c) => c.Name === 'dt')?.Type).toBe('date');
    const { columns } = await trino.query(`SELECT dt FROM delta.${database}.invoices LIMIT 1`);
    expect(columns).toEqual([{ name: 'dt', type: 'date' }]);
  }, 600_000);

  it('filters dt with date literals in the delta catalog and, redirected, as analysts query it', async () => {
    const days = Object.keys(perDay).sort();
    expect(days[0]).toBe(FIRST_DAY);
    expect(days.length).toBeGreaterThanOrEqual(4);
    const from = days[2];
    const since = days.filter((d) => d >= from).reduce((n, d) => n + perDay[d], 0);
    for (const name of [`delta.${database}.invoices`, 'invoices']) {
      expect((await trino.query(`SELECT count(*) FROM ${name} WHERE dt >= DATE '${from}'`, { schema: database })).rows).toEqual([[since]]);
      const oneDay = await trino.query(`SELECT count(*) FROM ${name} WHERE dt = DATE '${days[1]}'`, { schema: database });
      expect(oneDay.rows).toEqual([[perDay[days[1]]]]);
    }
    const between = `dt BETWEEN DATE '${days[0]}' AND DATE '${days[1]}'`;
    const byDay = `SELECT CAST(dt AS varchar), count(*) FROM invoices WHERE ${between} GROUP BY 1 ORDER BY 1`;
    const { rows } = await trino.query(byDay, { schema: database });
    expect(rows).toEqual(days.slice(0, 2).map((d) => [d, perDay[d]]));
  }, 600_000);
});
