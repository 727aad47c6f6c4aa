import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, lakeFirstDate, loadLakeConfig, parseLakeConfig as parseWith, parseSourceConfig } from '../src';
import { EXAMPLES_DIR, nfeInvoice, shopOrders } from './examples';

const source = {
  name: 'nfe-api',
  dataset: 'nfe_invoice',
  baseUrl: 'http://127.0.0.1:8080',
  path: '/v1/invoices',
  recordSelector: 'data',
  pagination: { type: 'cursor', nextCursorPath: 'next_cursor' },
};
const lake = { project: 'nfe', environment: 'local', region: 'us-east-1', localEndpoint: 'http://127.0.0.1:5000', sources: [source], query: { firstDate: '2026-01-01' } };

/** Parses with the NF-e contract given in code, as a TypeScript app would. */
const parseLakeConfig = (input: unknown, origin?: string) => parseWith(input, origin, { datasets: [nfeInvoice] });

function problems(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('lake config', () => {
  it('applies secure, documented defaults', () => {
    const cfg = parseLakeConfig(lake);
    expect(cfg.processing).toMatchObject({ mode: 'transient', tableFormat: 'parquet', idleTimeoutSeconds: 3600, maxBadRecordRatio: 0.01 });
    expect(cfg.storage.archiveAccessTierDays).toBeUndefined();
    expect(cfg.warehouse).toEqual({ enabled: false });
    expect(cfg.query.bytesScannedCutoffPerQuery).toBe(10 * 1024 ** 3);
    expect(cfg.sources[0].http.maxRetries).toBe(5);
    expect(cfg.sources[0].auth).toEqual({ type: 'none' });
  });

  it('names the path, the value and what is accepted', () => {
    const bad = { ...lake, sources: [{ ...source, pagination: { type: 'pages' } }] };
    const [p] = problems(() => parseLakeConfig(bad, 'lake.local.json'));
    expect(p.path).toBe('sources[0].pagination.type');
    expect(p.value).toBe('pages');
    expect(p.expected).toMatch(/page_number.*offset.*cursor.*link_header/);
    expect(() => parseLakeConfig(bad, 'lake.local.json')).toThrow(/invalid config in lake.local.json:\n {2}- sources\[0\]\.pagination\.type: got "pages"/);
  });

  it('says what replaced the renamed total fields', () => {
    const withPagination = (pagination: object) => ({ ...source, pagination });
    expect(problems(() => parseSourceConfig(withPagination({ type: 'page_number', totalPath: 'total_pages' }), 'demo.json'))).toEqual([
      {
        path: 'pagination.totalPath',
        value: 'total_pages',
        expected: 'renamed: use totalPagesPath for a total-pages field or totalRecordsPath for a total-records field',
      },
    ]);
    expect(() => parseSourceConfig(withPagination({ type: 'offset', totalPath: 'total' }), 'demo.json')).toThrow(
      'invalid config in demo.json:\n  - pagination.totalPath: got "total"; renamed: use totalRecordsPath (offsets count records)',
    );
    expect(problems(() => parseSourceConfig(withPagination({ type: 'cursor', nextCursorPath: 'next', totalPath: 'total' })))[0].expected).toBe(
      'renamed: use totalRecordsPath (a total-records field)',
    );
    expect(problems(() => parseSourceConfig(withPagination({ type: 'link_header', totalHeader: 'x-total-count' })))[0]).toEqual({
      path: 'pagination.totalHeader',
      value: 'x-total-count',
      expected: 'renamed: use totalPagesHeader for a total-pages header or totalRecordsHeader for a total-records header',
    });
  });

  it('takes one total per source: pages or records', () => {
    const both = { ...source, pagination: { type: 'page_number', totalPagesPath: 'total_pages', totalRecordsPath: 'total' } };
    expect(problems(() => parseSourceConfig(both))).toEqual([
      { path: 'pagination.totalRecordsPath', value: 'total', expected: 'set totalPagesPath or totalRecordsPath, not both' },
    ]);
    const headers = { ...source, pagination: { type: 'link_header', totalPagesHeader: 'x-total-pages', totalRecordsHeader: 'x-total-count' } };
    expect(problems(() => parseSourceConfig(headers))[0].expected).toBe('set totalPagesHeader or totalRecordsHeader, not both');
    // Offsets count records: a total-pages field has no meaning there.
    expect(problems(() => parseSourceConfig({ ...source, pagination: { type: 'offset', totalPagesPath: 'pages' } }))[0].path).toBe('pagination');
  });

  it('reports cross-field problems', () => {
    expect(problems(() => parseLakeConfig({ ...lake, localEndpoint: undefined }))).toEqual([
      { path: 'localEndpoint', value: undefined, expected: 'the local environment needs localEndpoint (the moto server URL)' },
    ]);
    expect(problems(() => parseLakeConfig({ ...lake, environment: 'prod' })).map((p) => p.path)).toEqual(['sources[0].baseUrl', 'processing.subnetId']);
    expect(problems(() => parseLakeConfig({ ...lake, sources: [source, source] }))[0]).toMatchObject({ path: 'sources[1].name', value: 'nfe-api' });
    expect(problems(() => parseLakeConfig({ ...lake, processing: { minCapacityUnits: 5, maxCapacityUnits: 2 } }))[0]).toMatchObject({
      path: 'processing.maxCapacityUnits',
      value: 2,
    });
  });

  it('takes the first date of the data (where partition projection starts) from query.firstDate, else the earliest incremental source', () => {
    expect(lakeFirstDate(parseLakeConfig(lake))).toBe('2026-01-01');
    const incremental = (name: string, initialValue: string) => ({ ...source, name, incremental: { cursorField: 'updated_at', initialValue } });
    const derived = parseLakeConfig({ ...lake, query: {}, sources: [incremental('a', '2026-03-05T10:00:00Z'), incremental('b', '2026-02-01T23:30:00-03:00')] });
    expect(lakeFirstDate(derived)).toBe('2026-02-02');
    expect(problems(() => parseLakeConfig({ ...lake, query: {} }))).toEqual([
      { path: 'query.firstDate', value: undefined, expected: 'no source is incremental, so the first date of the data cannot be derived: set query.firstDate (YYYY-MM-DD)' },
    ]);
    expect(problems(() => parseLakeConfig({ ...lake, query: { firstDate: '2026-02-30' } }))[0]).toMatchObject({ path: 'query.firstDate', value: '2026-02-30' });
  });

  it('rejects unknown keys (typos) and unknown datasets', () => {
    expect(problems(() => parseLakeConfig({ ...lake, regoin: 'x' }))[0].expected).toMatch(/regoin/);
    expect(problems(() => parseLakeConfig({ ...lake, sources: [{ ...source, dataset: 'orders' }] }))).toEqual([
      { path: 'sources[0].dataset', value: 'orders', expected: 'a declared dataset (datasets[].contract): nfe_invoice' },
      { path: 'datasets (given in code)', value: 'nfe_invoice', expected: 'a source feeding dataset "nfe_invoice" (sources[].dataset), or drop the dataset' },
    ]);
  });

  it('loads the contracts the config names, relative to the config file', () => {
    const cfg = parseWith(
      { ...lake, datasets: [{ contract: 'nfe-invoice/contract.ts' }, { contract: 'shop-orders/shop_orders.contract.yaml' }], sources: [source, { ...source, name: 'shop-api', dataset: 'shop_orders' }] },
      'lake.json',
      { baseDir: EXAMPLES_DIR },
    );
    expect(cfg.datasets.map((d) => d.name)).toEqual(['nfe_invoice', 'shop_orders']);
    expect(cfg.datasets[1]).toEqual(shopOrders);
    const loaded = loadLakeConfig(join(EXAMPLES_DIR, 'lake.json'));
    expect(loaded.datasets.map((d) => d.name)).toEqual(['nfe_invoice', 'shop_orders']);
  });

  it('refuses two contracts of one dataset and a contract file that breaks the rules, naming the file', () => {
    expect(problems(() => parseWith({ ...lake, datasets: [{ contract: 'nfe-invoice/contract.ts' }] }, 'lake.json', { baseDir: EXAMPLES_DIR, datasets: [nfeInvoice] }))[0]).toEqual({
      path: 'datasets (given in code)',
      value: 'nfe_invoice',
      expected: 'one contract per dataset name',
    });
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'd.contract.yaml'), 'name: nfe_invoice\nversion: 1\n');
    expect(() => parseWith({ ...lake, datasets: [{ contract: 'd.contract.yaml' }] }, 'lake.json', { baseDir: dir })).toThrow(`invalid description in ${join(dir, 'd.contract.yaml')}: got nothing`);
  });

  it('refuses secrets from plain environment variables', () => {
    const p = problems(() => parseSourceConfig({ ...source, auth: { type: 'bearer', secret: { from: 'env', name: 'TOKEN' } } }));
    expect(p[0].path).toBe('auth.secret.from');
  });

  it('refuses credentials in plain headers or query parameters, naming them', () => {
    expect(problems(() => parseSourceConfig({ ...source, http: { headers: { Authorization: 'Bearer abc', Accept: 'application/json' } } }))).toEqual([
      {
        path: 'http.headers.Authorization',
        value: 'Bearer abc',
        expected: 'header "Authorization" looks like a credential; put it in auth (type api_key or bearer) with a secret from Secrets Manager or SSM, never in plain config',
      },
    ]);
    for (const name of ['api_key', 'apiKey', 'access_token', 'X-Auth-Token', 'client_secret', 'password', 'key']) {
      expect(problems(() => parseSourceConfig({ ...source, query: { [name]: 'v' } }))[0]).toMatchObject({ path: `query.${name}`, expected: expect.stringContaining(`query parameter "${name}" looks like a credential`) });
    }
    expect(parseSourceConfig({ ...source, query: { status: 'authorized', keyword: 'x' }, http: { headers: { Accept: 'application/json' } } }).query).toEqual({ status: 'authorized', keyword: 'x' });
  });

  it('requires https outside the local environment', () => {
    const prod = { ...lake, environment: 'prod', localEndpoint: undefined, processing: { subnetId: 'subnet-1' } };
    expect(problems(() => parseLakeConfig(prod))).toEqual([
      { path: 'sources[0].baseUrl', value: 'http://127.0.0.1:8080', expected: 'https outside the local environment (prod): records and credentials must not cross the network in clear text' },
    ]);
    expect(parseLakeConfig({ ...prod, sources: [{ ...source, baseUrl: 'https://api.example.com' }] }).sources[0].baseUrl).toBe('https://api.example.com');
  });

  it('protects raw by default: Object Lock 365 days, no break-glass role, non-current raw versions kept', () => {
    expect(parseLakeConfig(lake).storage.rawProtection).toEqual({ objectLock: { enabled: true, retentionDays: 365 } });
    const set = { objectLock: { enabled: true, retentionDays: 30 }, breakGlassRoleArn: 'arn:aws:iam::111122223333:role/ops/lake-break-glass', noncurrentVersionExpirationDays: 400 };
    expect(parseLakeConfig({ ...lake, storage: { rawProtection: set } }).storage.rawProtection).toEqual(set);
    expect(parseLakeConfig({ ...lake, storage: { rawProtection: { objectLock: { enabled: false } } } }).storage.rawProtection.objectLock.enabled).toBe(false);
    expect(problems(() => parseLakeConfig({ ...lake, storage: { rawProtection: { breakGlassRoleArn: 'lake-break-glass', objectLock: { retentionDays: 0 } } } }))).toEqual([
      { path: 'storage.rawProtection.objectLock.retentionDays', value: 0, expected: expect.stringContaining('>=1') },
      { path: 'storage.rawProtection.breakGlassRoleArn', value: 'lake-break-glass', expected: 'an IAM role ARN, arn:aws:iam::<account>:role/<name>' },
    ]);
  });

  it('retains data by default and destroys it only with both flags, naming the missing one', () => {
    expect(parseLakeConfig(lake)).toMatchObject({ allowDataDestruction: false, storage: { removalPolicy: 'retain', forceDestroy: false } });
    const destroy = parseLakeConfig({ ...lake, allowDataDestruction: true, storage: { removalPolicy: 'destroy', forceDestroy: true } });
    expect(destroy).toMatchObject({ allowDataDestruction: true, storage: { removalPolicy: 'destroy', forceDestroy: true } });
    expect(() => parseLakeConfig({ ...lake, storage: { removalPolicy: 'destroy' } })).toThrow(
      'invalid config in lake config:\n  - storage.removalPolicy: got "destroy"; destroying data needs the global opt-in as well: set allowDataDestruction: true, or removalPolicy "retain"',
    );
    expect(problems(() => parseLakeConfig({ ...lake, allowDataDestruction: true }))).toEqual([
      { path: 'allowDataDestruction', value: true, expected: 'the global opt-in alone destroys nothing: set storage.removalPolicy "destroy" as well, or drop allowDataDestruction' },
    ]);
    expect(problems(() => parseLakeConfig({ ...lake, storage: { forceDestroy: true } }))).toEqual([
      { path: 'storage.forceDestroy', value: true, expected: 'deleting non-empty buckets needs storage.removalPolicy "destroy" and allowDataDestruction: true; or drop forceDestroy' },
    ]);
  });

  it('takes e-mail and https subscriptions of the alarm topic, none by default', () => {
    expect(parseLakeConfig(lake).alarms).toEqual({ subscriptions: [] });
    const subscriptions = [
      { protocol: 'email', endpoint: 'oncall@example.com' },
      { protocol: 'https', endpoint: 'https://events.pagerduty.com/integration/x/enqueue' },
    ];
    expect(parseLakeConfig({ ...lake, alarms: { subscriptions } }).alarms.subscriptions).toEqual(subscriptions);
    expect(problems(() => parseLakeConfig({ ...lake, alarms: { subscriptions: [{ protocol: 'https', endpoint: 'http://pager.example.com/hook' }] } }))[0]).toMatchObject({
      path: 'alarms.subscriptions[0].endpoint',
      value: 'http://pager.example.com/hook',
    });
    expect(problems(() => parseLakeConfig({ ...lake, alarms: { subscriptions: [{ protocol: 'sms', endpoint: '+5511999999999' }] } }))[0].path).toBe('alarms.subscriptions[0].protocol');
  });

  it('refuses a persistent cluster that would idle out between two collector runs', () => {
    const persistent = (idleTimeoutSeconds: number, schedule: string) => parseLakeConfig({ ...lake, processing: { mode: 'persistent', idleTimeoutSeconds }, sources: [{ ...source, schedule }] });
    expect(problems(() => persistent(3600, 'rate(1 day)'))).toEqual([
      {
        path: 'processing.idleTimeoutSeconds',
        value: 3600,
        expected:
          'got idleTimeoutSeconds 3600 but the most frequent source runs every 86400 s: the persistent cluster would terminate between runs and the trigger could not add steps; raise idleTimeoutSeconds above 86400 (at most 604800), collect more often, or use mode "transient"',
      },
    ]);
    expect(problems(() => persistent(3600, 'cron(0 * * * ? *)'))[0].expected).toMatch(/^got idleTimeoutSeconds 3600 with only cron source schedules \(cron\(0 \* \* \* \? \*\)\), whose gaps cannot be checked/);
    expect(persistent(7200, 'rate(1 hour)').processing.mode).toBe('persistent');
    expect(persistent(90_000, 'rate(1 day)').processing.idleTimeoutSeconds).toBe(90_000);
  });

  it('accepts secrets from Secrets Manager and SSM', () => {
    expect(parseSourceConfig({ ...source, auth: { type: 'bearer', secret: { from: 'ssm', parameterName: '/nfe/token' } } }).auth.type).toBe('bearer');
    expect(
      parseSourceConfig({ ...source, auth: { type: 'api_key', in: 'header', name: 'x-api-key', secret: { from: 'secretsmanager', secretId: 'nfe/api' } } }).auth,
    ).toMatchObject({ in: 'header' });
  });

  it('reports unreadable and malformed files with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'broken.json'), '{ "project": ');
    expect(() => loadLakeConfig(join(dir, 'broken.json'))).toThrow(/invalid config in .*broken.json:\n {2}- \(file\): got nothing; valid JSON/);
    expect(() => loadLakeConfig(join(dir, 'missing.json'))).toThrow(/missing.json.*a readable file/s);
  });
});

describe('processing table format', () => {
  it('accepts delta and rejects iceberg at config time, saying why', () => {
    const base = lake;
    expect(parseLakeConfig({ ...base, processing: { tableFormat: 'delta' } }).processing.tableFormat).toBe('delta');
    expect(() => parseLakeConfig({ ...base, processing: { tableFormat: 'iceberg' } })).toThrow(
      'processing.tableFormat: got "iceberg"; one of parquet, delta (the formats the Spark job writes)',
    );
  });
});
