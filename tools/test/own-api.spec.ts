/**
 * Root README, "Use it for your own API", every step on the README's own files: the blocks marked
 * `<!-- file: NAME -->` are written into a temporary folder as a team would (their contract, lake config and
 * secrets file), a small real HTTP API serves that dataset (offset pages, a bearer token, one record that breaks
 * the contract), then the synth of step 4 and the local run of step 5 (moto, terraform apply, collector, emr-trigger,
 * spark-submit, Trino) are asserted from what they wrote. Slow (terraform apply on moto, Spark, Trino) on a loaded
 * machine: the run has tens of minutes. Step 6 (cdktf deploy) is libs/infra-modules/test/cli.moto.spec.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const DAY_MS = 86_400_000;
const READINGS = 300;
const BAD_READING = 150;
const SENSORS = ['S001', 'S002', 'S003', 'S004'];
const SITE: Record<string, string> = { S001: 'north', S002: 'north', S003: 'south', S004: 'south' };

/** The files of the README section, by the name in their `<!-- file: NAME -->` marker. */
function readmeFiles(): Record<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it for your own API');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return Object.fromEntries([...section.matchAll(/<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
}

interface Reading {
  reading_id: string;
  sensor_id: string;
  site: string;
  reading_date: string;
  measured_at: string;
  temperature_c: number;
  humidity_pct: number;
}

/** A reading every 10 minutes, round robin over the sensors; one is hotter than the contract's max. */
function readings(start: Date): Reading[] {
  return Array.from({ length: READINGS }, (_, i) => {
    const at = new Date(start.getTime() + i * 600_000);
    const sensor = SENSORS[i % SENSORS.length];
    return {
      reading_id: `r-${String(i).padStart(4, '0')}`,
      sensor_id: sensor,
      site: SITE[sensor],
      reading_date: at.toISOString().slice(0, 10),
      measured_at: at.toISOString(),
      temperature_c: i === BAD_READING ? 999 : 15 + (i % 20) / 2,
      humidity_pct: 40 + (i % 30),
    };
  });
}

/** The team's API: GET /v1/readings?offset&limit&measured_since&measured_until (half-open), bearer token. */
function startApi(records: readonly Reading[], token: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'unauthorized' });
    if (url.pathname !== '/v1/readings') return send(404, { error: 'not found' });
    const since = Date.parse(url.searchParams.get('measured_since') ?? '');
    const until = Date.parse(url.searchParams.get('measured_until') ?? '');
    if (Number.isNaN(since) || Number.isNaN(until)) return send(400, { error: 'measured_since and measured_until are required' });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const window = records.filter((r) => Date.parse(r.measured_at) >= since && Date.parse(r.measured_at) < until);
    send(200, { readings: window.slice(offset, offset + limit), total: window.length });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs a command, collecting its output; never rejects (the test asserts on the exit code and the output). */
function run(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60 * 60_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('README: use it for your own API', () => {
  const files = readmeFiles();
  const dir = mkdtempSync(join(tmpdir(), 'lake-own-api-'));
  // the data ends before now, so the collector's windows (initialValue .. now - lag) hold all of it
  const start = new Date((Math.floor(Date.now() / DAY_MS) - 3) * DAY_MS);
  const records = readings(start);
  const token = JSON.parse(files['secrets.json'] ?? '{}')['sensors/api-token'];
  let api: Server;

  beforeAll(async () => {
    api = await startApi(records, token);
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    for (const [name, text] of Object.entries(files)) {
      // the README's API URL and first window are placeholders: this API's port, and where its data starts
      writeFileSync(join(dir, name), name === 'lake.json' ? text.replace('http://127.0.0.1:8080', url).replace('2026-11-01T00:00:00Z', start.toISOString()) : text);
    }
  });

  afterAll(async () => {
    await new Promise((resolve) => api.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the files a team writes, and counts their lines right', () => {
    expect(Object.keys(files).sort()).toEqual(['lake.json', 'secrets.json', 'sensor_readings.contract.yaml']);
    expect(typeof token).toBe('string');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const lines = (text: string) => text.trimEnd().split('\n').length;
    const config = files['lake.json'].trimEnd().split('\n');
    const sourceLines = config.indexOf('    }') - config.indexOf('    {') + 1;
    const examples = readFileSync(join(ROOT, 'examples/lake.json'), 'utf8').split('\n');
    const shopStart = examples.findIndex((l) => l.includes('"name": "shop-api"')) - 1;
    const shopSourceLines = examples.indexOf('    }', shopStart) - shopStart + 1;
    const stated = (pattern: RegExp) => Number(pattern.exec(readme.replace(/\s+/g, ' '))?.[1]);
    expect({
      shopContract: stated(/shop_orders\.contract\.yaml`: 1 file, (\d+) lines/),
      shopSource: stated(/shop orders: (\d+) lines in `examples\/lake\.json`/),
      contract: stated(/the sensors below: (\d+) lines/),
      source: stated(/sensors: (\d+)\) and a lake config/),
      config: stated(/\(sensors: (\d+) more lines\)/),
    }).toEqual({
      shopContract: lines(readFileSync(join(ROOT, 'examples/shop-orders/shop_orders.contract.yaml'), 'utf8')),
      shopSource: shopSourceLines,
      contract: lines(files['sensor_readings.contract.yaml']),
      source: sourceLines,
      config: config.length - sourceLines,
    });
  });

  it('step 4: synthesises every stack of the config, with the dataset\'s tables and named queries', () => {
    const out = join(dir, 'cdktf.out');
    // what `npx nx run infra-modules:synth` runs, with the README's variables (and an outdir outside the workspace)
    const synth = spawnSync(TSX, ['src/main.ts'], {
      cwd: join(ROOT, 'libs/infra-modules'),
      env: { ...process.env, LAKE_CONFIG: join(dir, 'lake.json'), LAKE_LOCAL_ENDPOINT: 'http://127.0.0.1:4566', CDKTF_OUTDIR: out },
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual(['sensors-local-account', 'sensors-local-ingestion', 'sensors-local-lake', 'sensors-local-processing', 'sensors-local-query']);
    const lake = readFileSync(join(out, 'stacks/sensors-local-lake/cdk.tf.json'), 'utf8');
    for (const table of ['"readings"', '"daily_site_readings"', '"raw_sensor_readings"']) expect(lake).toContain(table);
    const query = readFileSync(join(out, 'stacks/sensors-local-query/cdk.tf.json'), 'utf8');
    for (const name of ['readings-per-site', 'readings-per-sensor']) expect(query).toContain(`"${name}"`);
  }, 11 * 60_000);

  it('step 5 refuses to start without the credential a source names, saying which and how', async () => {
    const { code, output } = await run(['tools/run-lake.ts', '--config', join(dir, 'lake.json')], {}, 5 * 60_000);
    expect(output).toContain('invalid --secrets: got no file; source sensors-api reads its credential from secretsmanager sensors/api-token: put { "sensors/api-token": "<value>" }');
    expect(code).toBe(1);
    expect(output).not.toContain('local AWS');
  }, 6 * 60_000);

  it.each([
    ['a config that does not exist', ['--config', 'nope/lake.json'], /invalid --config: got nope\/lake\.json; no such file/],
    ['a secrets file that does not exist', ['--secrets', 'nope.json'], /invalid --secrets: got .*nope\.json; no such file: give a JSON file \{ "<secretId>": "<value>" \}/],
    ['a secrets file that is not an object of strings', ['--secrets', 'bad-secrets.json'], /invalid --secrets: got .*bad-secrets\.json holding \["token"\]; give a JSON object of strings/],
    ['a secrets file that is not JSON', ['--secrets', 'broken-secrets.json'], /invalid --secrets: got .*broken-secrets\.json, not JSON \(.*\); give a JSON object of strings/],
    ['a secrets file without the source\'s secret', ['--secrets', 'other-secrets.json'], /invalid --secrets: got no "sensors\/api-token" in .*other-secrets\.json; source sensors-api reads/],
  ])('step 5 refuses %s before anything starts', async (_, args, message) => {
    writeFileSync(join(dir, 'bad-secrets.json'), '["token"]');
    writeFileSync(join(dir, 'other-secrets.json'), '{ "sensors/other": "x" }');
    writeFileSync(join(dir, 'broken-secrets.json'), 'sensors/api-token=x');
    const withConfig = args[0] === '--config' ? args : ['--config', join(dir, 'lake.json'), ...args.map((a) => (a.endsWith('.json') ? join(dir, a) : a))];
    const { code, output } = await run(['tools/run-lake.ts', ...withConfig], {}, 5 * 60_000);
    expect(output).toMatch(message);
    expect(code).toBe(1);
    expect(output).not.toContain('local AWS');
  }, 6 * 60_000);

  it('step 5 refuses an environment other than local', async () => {
    const dev = join(dir, 'lake.dev.json');
    writeFileSync(dev, JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'lake.json'), 'utf8')), environment: 'dev', backend: { type: 'local' } }));
    const { code, output } = await run(['tools/run-lake.ts', '--config', dev, '--secrets', join(dir, 'secrets.json')], {}, 5 * 60_000);
    expect(output).toMatch(/invalid environment: got "dev" in .*lake\.dev\.json; tools\/lake run runs a lake on moto only/);
    expect(code).toBe(1);
  }, 6 * 60_000);

  it('step 5: collects from the API, processes, catalogues and answers every named query', async () => {
    const { code, output } = await run(['tools/run-lake.ts', '--config', join(dir, 'lake.json'), '--secrets', join(dir, 'secrets.json')]);
    if (code !== 0) throw new Error(`tools/lake run failed (${code}):\n${output.slice(-6000)}`);
    const summaryFile = join(ROOT, '.lake/run/sensors-local/summary.json');
    expect(existsSync(summaryFile)).toBe(true);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    // everything the API served reached raw; the one bad reading is quarantined, the rest curated
    expect(summary.collected).toEqual({ sensor_readings: READINGS });
    const report = summary.reports.sensor_readings;
    expect(report.quarantine.records).toBe(1);
    expect(report.tables.readings.rows).toBe(READINGS - 1);
    const days = [...new Set(records.map((r) => r.reading_date))].sort();
    expect([...report.tables.readings.partitions].sort()).toEqual(days.map((d) => expect.stringContaining(d)));
    // the named queries, answered by Trino over the catalog, against a computation from what the API served
    const good = records.filter((_, i) => i !== BAD_READING);
    const count = (key: (r: Reading) => string) => {
      const counts = new Map<string, number>();
      for (const r of good) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
      return [...counts].sort(([a], [b]) => a.localeCompare(b));
    };
    const answers = Object.fromEntries(summary.answers.map((a: { name: string; result: { rows: unknown[][] } }) => [a.name, a.result.rows]));
    expect(answers).toEqual({ 'readings-per-site': count((r) => r.site), 'readings-per-sensor': count((r) => r.sensor_id) });
    expect(output).toContain(`check: ${READINGS - 1} curated readings + 1 quarantined = ${READINGS} collected`);
  }, 60 * 60_000);
});
