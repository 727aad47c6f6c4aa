import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, renderArtefacts } from '../src/cli/export';
import { renderSchema, SCHEMA_DIR } from '../src/cli/schema';
import { datasetContractJsonSchema, exportContract } from '../src';
import { nfeInvoice, shopOrders } from './examples';

describe('exported contract, format 2', () => {
  it('carries the columns, the raw schemas and every table with its Spark schema, Glue columns and source', () => {
    const exported = exportContract(shopOrders);
    expect(exported).toMatchObject({ format: 2, name: 'shop_orders', primaryKey: ['order_id'], eventTimeField: 'modified_at', businessDateField: 'ordered_at' });
    expect(Object.keys(exported.tables)).toEqual(['orders', 'orders_lines', 'orders_payments', 'daily_sales_by_country']);
    for (const table of Object.values(exported.tables)) {
      expect(table.partitionKeys).toEqual([{ name: 'dt', type: 'date', comment: 'Date partition (YYYY-MM-DD in the S3 path).' }]);
      expect(table.glueColumns.map((c) => c.name)).toEqual(table.sparkSchema.fields.map((f) => f.name));
      // the Spark schema follows the column sources one for one
      if (table.source.kind !== 'sql') expect(table.source.columns.map((c) => c.name)).toEqual(table.sparkSchema.fields.map((f) => f.name));
    }
    expect(exported.tables.daily_sales_by_country.source).toMatchObject({ kind: 'sql', reads: ['orders', 'orders_lines'] });
    expect(exported.namedQueries.map((q) => q.name)).toEqual(['sales-by-country-last-7-days', 'payment-mix-yesterday']);
    expect(exported.layout.rawObject).toContain('ingest_date={ingest_date}');
  });

  it('writes one <dataset>.contract.json and one doc per dataset', () => {
    expect(Object.keys(renderArtefacts([nfeInvoice, shopOrders]))).toEqual(['nfe_invoice.contract.json', 'nfe_invoice.md', 'shop_orders.contract.json', 'shop_orders.md']);
  });
});

describe('published JSON Schema of contract files', () => {
  it('matches what is committed (regenerate with `npx nx run lake-core:schema`)', () => {
    for (const [name, content] of Object.entries(renderSchema())) {
      expect({ name, content: readFileSync(join(SCHEMA_DIR, name), 'utf8') }).toEqual({ name, content });
    }
  });

  it('describes the contract fields and the column type forms', () => {
    const schema = datasetContractJsonSchema() as { required: string[]; properties: Record<string, unknown>; $defs: Record<string, unknown> };
    expect(schema.required).toEqual(['name', 'version', 'description', 'columns', 'primaryKey', 'eventTimeField', 'businessDateField']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['curated', 'analytics', 'namedQueries']));
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['Column', 'ColumnType']));
  });
});

describe('export CLI', () => {
  const yaml = join(__dirname, '../../../examples/shop-orders/shop_orders.contract.yaml');

  it('exports contract files given with --contract, without a lake config, and checks them', () => {
    const out = mkdtempSync(join(tmpdir(), 'export-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(main(['--contract', yaml, '--out', out])).toBe(0);
    log.mockRestore();
    expect(JSON.parse(readFileSync(join(out, 'shop_orders.contract.json'), 'utf8'))).toEqual(exportContract(shopOrders));
    expect(main(['--contract', yaml, '--out', out, '--check'])).toBe(0);
  });

  it('names the stale file and the command that regenerates it', () => {
    const out = mkdtempSync(join(tmpdir(), 'export-'));
    writeFileSync(join(out, 'shop_orders.contract.json'), '{}\n');
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(main(['--contract', yaml, '--out', out, '--check'])).toBe(1);
    expect(error.mock.calls[0][0]).toMatch(/derived contract files are stale: \S+shop_orders\.contract\.json[\s\S]*regenerate them: tsx libs\/lake-core\/src\/cli\/export\.ts --contract \S+shop_orders\.contract\.yaml --out /);
    error.mockRestore();
  });

  it.each([[['--out', 'x']], [['--config', 'lake.json', '--contract', 'c.yaml', '--out', 'x']], [['--contract', 'c.yaml']]])('refuses %j with the usage', (args) => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(main(args)).toBe(2);
    expect(error.mock.calls[0][0]).toMatch(/^usage: export\.ts \(--config <lake config> \| --contract <file>/);
    error.mockRestore();
  });
});
