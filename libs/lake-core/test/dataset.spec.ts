import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractError, ContractSpec, defineDataset, findTable, loadContractFile, rawGlueColumns, rawSparkSchema, tableGlueColumns } from '../src';
import { nfeInvoice, shopOrders } from './examples';

const names = (contract: typeof nfeInvoice, table: string) => findTable(contract, table).columns.map((c) => c.name);
const LINEAGE = ['ingest_date', 'run_id', 'source_key'];

describe('curated derivations: nfe_invoice (one exploded array with a declared key)', () => {
  it('derives the raw Glue columns with timestamps as strings and nested items', () => {
    const columns = Object.fromEntries(rawGlueColumns(nfeInvoice).map((c) => [c.name, c.type]));
    expect(columns).toMatchObject({ invoice_id: 'string', number: 'bigint', issued_at: 'string', total_amount: 'decimal(15,2)' });
    expect(columns.issuer).toBe('struct<document:string,name:string,state:string,city:string>');
    expect(columns.items).toMatch(/^array<struct<item_number:int,product_code:string,.*quantity:decimal\(15,4\).*>>$/);
  });

  it('flattens the parent, counts the exploded array and appends lineage', () => {
    const invoices = names(nfeInvoice, 'invoices');
    expect(invoices).toEqual(expect.arrayContaining(['invoice_id', 'issuer_document', 'issuer_state', 'recipient_document', 'items_count']));
    expect(invoices.slice(-3)).toEqual(LINEAGE);
    expect(invoices).not.toContain('items');
    expect(invoices).not.toContain('issuer');
    // a nullable struct makes its flattened fields nullable even when they are required inside it
    expect(findTable(nfeInvoice, 'invoices').columns.find((c) => c.name === 'recipient_name')?.nullable).toBe(true);
  });

  it('explodes items into the named child table keyed by the parent key and the declared element key', () => {
    const items = findTable(nfeInvoice, 'invoice_items');
    expect(names(nfeInvoice, 'invoice_items').slice(0, 3)).toEqual(['invoice_id', 'item_number', 'product_code']);
    expect(items.primaryKey).toEqual(['invoice_id', 'item_number']);
    expect(items.source).toMatchObject({ kind: 'explode', array: ['items'] });
    expect(tableGlueColumns(items).map((c) => c.name)).toEqual(names(nfeInvoice, 'invoice_items'));
  });

  it('exports a Spark schema whose required fields are non-nullable', () => {
    const field = (n: string) => rawSparkSchema(nfeInvoice).fields.find((f) => f.name === n);
    expect(field('invoice_id')).toMatchObject({ type: 'string', nullable: false });
    expect(field('operation_nature')).toMatchObject({ type: 'string', nullable: true });
  });

  it('declares its analytics as SQL over the curated tables it reads', () => {
    expect(findTable(nfeInvoice, 'daily_revenue_by_state').source).toMatchObject({ kind: 'sql', reads: ['invoices'] });
    expect(findTable(nfeInvoice, 'top_products_daily').source).toMatchObject({ kind: 'sql', reads: ['invoices', 'invoice_items'] });
    expect(nfeInvoice.namedQueries.map((q) => q.name)).toEqual(['revenue-by-state-last-30-days', 'top-10-products-yesterday', 'cancellation-rate-by-day', 'raw-records-by-ingest-date']);
  });

  it('names unknown tables with the known ones', () => {
    expect(() => findTable(nfeInvoice, 'nope')).toThrow('dataset "nfe_invoice" has no table "nope" (known: invoices, invoice_items, daily_revenue_by_state, top_products_daily)');
  });
});

describe('curated derivations: shop_orders (YAML; nested struct, two exploded arrays, a nested primitive array)', () => {
  it('flattens structs recursively and keeps the array of strings nested', () => {
    expect(names(shopOrders, 'orders')).toEqual([
      'order_id', 'status', 'ordered_at', 'modified_at',
      'customer_id', 'customer_name', 'customer_address_city', 'customer_address_state', 'customer_address_country',
      'lines_count', 'payments_count', 'tags', 'total', ...LINEAGE,
    ]);
    const orders = findTable(shopOrders, 'orders');
    expect(orders.columns.find((c) => c.name === 'tags')?.type).toEqual({ kind: 'array', element: { kind: 'string' } });
    expect(orders.source.kind === 'record' && orders.source.columns.find((c) => c.name === 'customer_address_city')).toEqual({ name: 'customer_address_city', from: 'record', path: ['customer', 'address', 'city'] });
    expect(orders.partitioning).toEqual({ column: 'dt', from: { field: 'ordered_at' } });
  });

  it('explodes lines by their declared key and payments by a derived 1-based position', () => {
    expect(findTable(shopOrders, 'orders_lines').primaryKey).toEqual(['order_id', 'line_no']);
    expect(names(shopOrders, 'orders_payments')).toEqual(['order_id', 'position', 'method', 'amount', 'paid_at', ...LINEAGE]);
    const payments = findTable(shopOrders, 'orders_payments');
    expect(payments.primaryKey).toEqual(['order_id', 'position']);
    expect(payments.source.kind === 'explode' && payments.source.columns.slice(0, 3)).toEqual([
      { name: 'order_id', from: 'record', path: ['order_id'] },
      { name: 'position', from: 'position' },
      { name: 'method', from: 'element', path: ['method'] },
    ]);
  });

  it('counts each exploded array on the parent', () => {
    const orders = findTable(shopOrders, 'orders');
    expect(orders.source.kind === 'record' && orders.source.columns.filter((c) => c.from === 'count')).toEqual([
      { name: 'lines_count', from: 'count', path: ['lines'] },
      { name: 'payments_count', from: 'count', path: ['payments'] },
    ]);
  });
});

describe('arrays: nested paths, modes and element structs', () => {
  const base = {
    name: 'd',
    version: 1,
    description: 'd',
    primaryKey: ['id'],
    eventTimeField: 'ts',
    businessDateField: 'ts',
  };
  const columns = [
    { name: 'id', type: 'long', nullable: false, description: 'id' },
    { name: 'ts', type: 'timestamp', nullable: false, description: 'ts' },
    {
      name: 'customer',
      description: 'customer',
      type: {
        kind: 'struct',
        fields: [
          {
            name: 'addresses',
            description: 'addresses',
            type: { kind: 'array', element: { kind: 'struct', fields: [{ name: 'geo', description: 'geo', type: { kind: 'struct', fields: [{ name: 'lat', type: 'double', description: 'lat' }] } }, { name: 'lines', type: 'array<string>', description: 'lines' }] } },
          },
        ],
      },
    },
  ];

  it('explodes an array inside a struct, flattens element structs and keeps arrays inside elements nested', () => {
    const contract = defineDataset({ ...base, columns } as ContractSpec);
    expect(contract.curated.map((c) => c.name)).toEqual(['d', 'd_addresses']);
    expect(names(contract, 'd')).toEqual(['id', 'ts', 'customer_addresses_count', ...LINEAGE]);
    expect(names(contract, 'd_addresses')).toEqual(['id', 'position', 'geo_lat', 'lines', ...LINEAGE]);
    expect(findTable(contract, 'd_addresses').source).toMatchObject({ kind: 'explode', array: ['customer', 'addresses'] });
  });

  it('keeps an array of structs nested when the contract says so', () => {
    const contract = defineDataset({ ...base, columns, curated: { arrays: { 'customer.addresses': { mode: 'nested' } } } } as ContractSpec);
    expect(contract.curated.map((c) => c.name)).toEqual(['d']);
    expect(names(contract, 'd')).toEqual(['id', 'ts', 'customer_addresses', ...LINEAGE]);
  });
});

describe('defineDataset refuses bad contracts with the path, the value and the fix', () => {
  const base: ContractSpec = {
    name: 'd',
    version: 1,
    description: 'd',
    columns: [
      { name: 'id', type: 'string', nullable: false, description: 'id' },
      { name: 'ts', type: 'timestamp', nullable: false, description: 'ts' },
      { name: 'items', type: { kind: 'array', element: { kind: 'struct', fields: [{ name: 'n', type: 'int', description: 'n' }] } }, description: 'items' },
      { name: 'tags', type: 'array<string>', description: 'tags' },
    ],
    primaryKey: ['id'],
    eventTimeField: 'ts',
    businessDateField: 'ts',
  };
  const [id, ts, items, tags] = base.columns;
  const sql = { name: 'a', description: 'a', columns: [{ name: 'n', type: 'long', description: 'n' }], primaryKey: ['n'], sql: 'SELECT dt, count(*) AS n FROM d GROUP BY dt' };

  it('accepts a consistent contract', () => {
    expect(defineDataset(base).curated.map((c) => c.name)).toEqual(['d', 'd_items']);
  });

  it.each<[string, Partial<ContractSpec>, string]>([
    ['a bad name', { name: 'Bad-Name' }, 'invalid name in dataset contract "Bad-Name": got "Bad-Name"; a dataset name in snake_case'],
    ['an unknown type', { columns: [id, ts, { name: 'x', type: 'varchar', description: 'x' }] }, 'invalid columns[2].type in dataset contract "d": got "varchar"; one of string, int'],
    ['a missing key column', { primaryKey: ['nope'] }, 'invalid primaryKey[0] in dataset contract "d": got "nope"; one of the top-level columns: id, ts, items, tags'],
    ['a nullable key', { columns: [{ ...id, nullable: true }, ts] }, 'invalid primaryKey[0] in dataset contract "d": got "id"; a key column must be required: set nullable: false on column "id"'],
    ['an event time that is no date', { eventTimeField: 'id' }, 'invalid eventTimeField in dataset contract "d": got "id"; a date or timestamp column, not string'],
    ['a duplicate column', { columns: [...base.columns, { name: 'id', type: 'int', description: 'again' }] }, 'invalid columns[4].name in dataset contract "d": got "id"; a column name unique among its siblings'],
    ['an enum on a number', { columns: [id, ts, { name: 'n', type: 'int', description: 'n', enum: ['1'] }] }, 'invalid columns[2].enum in dataset contract "d": got ["1"]; enum and pattern apply to string columns only; "n" is int'],
    ['exploding primitives', { curated: { arrays: { tags: { mode: 'explode' } } } }, 'invalid curated.arrays["tags"].mode in dataset contract "d": got "explode"; only arrays of structs can be exploded'],
    ['an unknown array path', { curated: { arrays: { itemz: { mode: 'nested' } } } }, 'invalid curated.arrays["itemz"] in dataset contract "d": got "itemz"; the dot path of an array column outside exploded elements; arrays here: items, tags'],
    ['an element key that is no field', { curated: { arrays: { items: { mode: 'explode', key: ['m'] } } } }, 'invalid curated.arrays["items"].key[0] in dataset contract "d": got "m"; a field of the items elements: n'],
    ['a nullable element key', { curated: { arrays: { items: { mode: 'explode', key: ['n'] } } } }, 'a required scalar field: set nullable: false on "n"'],
    ['a derived name clash', { columns: [id, ts, items, { name: 'items_count', type: 'int', description: 'x' }] }, 'invalid curated table "d" in dataset contract "d": got "items_count"; unique column names: field items_count and the element count of items both become "items_count"'],
    ['a column named like the partition', { columns: [id, ts, { name: 'dt', type: 'date', description: 'dt' }] }, 'got "dt"; no column named "dt" (field dt): it is the partition column; rename it'],
    ['a table name clash', { curated: { table: 'a' }, analytics: [{ ...sql, sql: 'SELECT * FROM a' }] }, 'invalid analytics[0].name in dataset contract "d": got "a"; a table name no other table of the dataset has'],
    ['analytics reading no curated table', { analytics: [{ ...sql, sql: 'SELECT 1' }] }, 'invalid analytics[0].sql in dataset contract "d": got "SELECT 1"; SQL over the curated tables by name: d, d_items'],
    ['an analytics key that is not declared', { analytics: [{ ...sql, primaryKey: ['m'] }] }, 'invalid analytics[0].primaryKey[0] in dataset contract "d": got "m"; one of the declared columns: n'],
    ['duplicate named queries', { namedQueries: [{ name: 'q', description: 'q', sql: 'SELECT 1' }, { name: 'q', description: 'q', sql: 'SELECT 2' }] }, 'invalid namedQueries[1].name in dataset contract "d": got "q"'],
  ])('rejects %s', (_, change, message) => {
    expect(() => defineDataset({ ...base, ...change } as ContractSpec)).toThrow(ContractError);
    expect(() => defineDataset({ ...base, ...change } as ContractSpec)).toThrow(message);
  });

  it('reports a missing field of a nested struct at its path', () => {
    expect(() => defineDataset({ ...base, columns: [id, ts, items, tags, { name: 's', description: 's', type: { kind: 'struct', fields: [{ name: 'x', type: 'int' }] } }] } as unknown as ContractSpec)).toThrow(
      'invalid columns[4].type.fields[0].description in dataset contract "d": got nothing;',
    );
  });
});

describe('contract files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('loads JSON like YAML', () => {
    const json = file('d.contract.json', JSON.stringify({ name: 'd', version: 1, description: 'd', columns: [{ name: 'id', type: 'string', nullable: false, description: 'id' }, { name: 'ts', type: 'date', nullable: false, description: 'ts' }], primaryKey: ['id'], eventTimeField: 'ts', businessDateField: 'ts' }));
    expect(loadContractFile(json).curated.map((c) => c.name)).toEqual(['d']);
  });

  it('names the file in every error', () => {
    const bad = file('bad.contract.yaml', 'name: d\nversion: one\n');
    expect(() => loadContractFile(bad)).toThrow(`invalid version in ${bad}: got "one"; Invalid input: expected number, received string`);
    expect(() => loadContractFile(file('broken.contract.yaml', 'name: [d\n'))).toThrow(/invalid \(file\) in .*broken.contract.yaml: got nothing; valid YAML/);
    expect(() => loadContractFile(join(dir, 'missing.contract.json'))).toThrow(/invalid \(file\) in .*missing.contract.json: got nothing; a readable file/);
    expect(() => loadContractFile(file('d.contract.txt', ''))).toThrow(/a contract file ending in .json, .yaml, .yml, .ts/);
    expect(() => loadContractFile(file('nothing.js', 'module.exports = { a: 1 };'))).toThrow('a module whose default export is defineDataset({...})');
  });
});
