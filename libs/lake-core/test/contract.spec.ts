import {
  col,
  defineDataset,
  findTable,
  glueColumns,
  hiveType,
  nfeInvoice,
  rawGlueColumns,
  rawSparkSchema,
  sparkSchema,
  t,
  tableGlueColumns,
  DatasetContract,
} from '../src';

describe('type mapping', () => {
  it.each([
    [t.string(), 'string', 'string'],
    [t.int(), 'int', 'integer'],
    [t.long(), 'bigint', 'long'],
    [t.double(), 'double', 'double'],
    [t.boolean(), 'boolean', 'boolean'],
    [t.date(), 'date', 'date'],
    [t.timestamp(), 'timestamp', 'timestamp'],
    [t.decimal(15, 2), 'decimal(15,2)', 'decimal(15,2)'],
  ])('%j -> hive %s, spark %s', (type, hive, spark) => {
    expect(hiveType(type)).toBe(hive);
    expect(sparkSchema([col('x', type, 'x')]).fields[0].type).toBe(spark);
  });

  it('maps nested arrays of structs', () => {
    const type = t.array(t.struct([col('a', t.int(), 'a', { nullable: false }), col('b', t.decimal(5, 1), 'b')]));
    expect(hiveType(type)).toBe('array<struct<a:int,b:decimal(5,1)>>');
    expect(sparkSchema([col('x', type, 'x', { nullable: false })]).fields[0]).toEqual({
      name: 'x',
      nullable: false,
      metadata: { comment: 'x' },
      type: {
        type: 'array',
        containsNull: false,
        elementType: {
          type: 'struct',
          fields: [
            { name: 'a', type: 'integer', nullable: false, metadata: { comment: 'a' } },
            { name: 'b', type: 'decimal(5,1)', nullable: true, metadata: { comment: 'b' } },
          ],
        },
      },
    });
  });

  it('rejects impossible decimals', () => {
    expect(() => t.decimal(0, 0)).toThrow('decimal precision must be an integer in 1..38, got 0');
    expect(() => t.decimal(10, 11)).toThrow('decimal scale must be an integer in 0..10, got 11');
  });
});

describe('nfe_invoice contract derivations', () => {
  it('derives the raw Glue columns with timestamps as strings and nested items', () => {
    const columns = Object.fromEntries(rawGlueColumns(nfeInvoice).map((c) => [c.name, c.type]));
    expect(columns.invoice_id).toBe('string');
    expect(columns.number).toBe('bigint');
    expect(columns.issued_at).toBe('string');
    expect(columns.total_amount).toBe('decimal(15,2)');
    expect(columns.issuer).toBe('struct<document:string,name:string,state:string,city:string>');
    expect(columns.items).toMatch(/^array<struct<item_number:int,product_code:string,.*quantity:decimal\(15,4\).*>>$/);
  });

  it('flattens the parent table and explodes items with the parent key and lineage', () => {
    const invoices = tableGlueColumns(findTable(nfeInvoice, 'invoices')).map((c) => c.name);
    expect(invoices).toEqual(expect.arrayContaining(['invoice_id', 'issuer_document', 'issuer_state', 'recipient_document', 'item_count', 'source_key']));
    expect(invoices).not.toContain('items');
    expect(invoices).not.toContain('issuer');
    const items = findTable(nfeInvoice, 'invoice_items');
    expect(items.columns.map((c) => c.name).slice(0, 3)).toEqual(['invoice_id', 'item_number', 'product_code']);
    expect(items.primaryKey).toEqual(['invoice_id', 'item_number']);
    // a nullable struct makes its flattened fields nullable even when they are required inside it
    const recipientName = findTable(nfeInvoice, 'invoices').columns.find((c) => c.name === 'recipient_name');
    expect(recipientName?.nullable).toBe(true);
  });

  it('exports a Spark schema whose required fields are non-nullable', () => {
    const schema = rawSparkSchema(nfeInvoice);
    const field = (n: string) => schema.fields.find((f) => f.name === n);
    expect(field('invoice_id')).toMatchObject({ type: 'string', nullable: false });
    expect(field('operation_nature')).toMatchObject({ type: 'string', nullable: true });
    expect(field('issued_at')).toMatchObject({ type: 'timestamp', nullable: false });
  });

  it('truncates Glue comments to 255 characters', () => {
    const [c] = glueColumns([col('x', t.string(), 'y'.repeat(300))]);
    expect(c.comment).toHaveLength(255);
  });

  it('names unknown tables with the known ones', () => {
    expect(() => findTable(nfeInvoice, 'nope')).toThrow('dataset "nfe_invoice" has no table "nope" (known: invoices, invoice_items, daily_revenue_by_state, top_products_daily)');
  });
});

describe('defineDataset validation', () => {
  const base: DatasetContract = {
    name: 'd',
    version: 1,
    description: 'd',
    columns: [col('id', t.string(), 'id', { nullable: false }), col('ts', t.timestamp(), 'ts', { nullable: false })],
    primaryKey: ['id'],
    eventTimeField: 'ts',
    businessDateField: 'ts',
    rawPartitioning: { column: 'ingest_date', from: 'ingestion' },
    curated: [],
    analytics: [],
  };

  it('accepts a consistent contract', () => {
    expect(defineDataset(base)).toBe(base);
  });

  it.each<[string, Partial<DatasetContract>, string]>([
    ['bad name', { name: 'Bad-Name' }, 'dataset "Bad-Name": name must be snake_case'],
    ['missing key', { primaryKey: ['nope'] }, 'primary key column "nope" is not a column'],
    ['nullable key', { columns: [col('id', t.string(), 'id'), base.columns[1]] }, 'primary key column "id" must be non-nullable'],
    ['event time not temporal', { eventTimeField: 'id' }, 'field "id" must be a date or timestamp, got string'],
    ['duplicate column', { columns: [...base.columns, col('id', t.int(), 'again')] }, 'duplicate column "id"'],
    [
      'partition column clash',
      { curated: [{ name: 'c', layer: 'curated', description: '', columns: [col('dt', t.string(), 'dt')], primaryKey: [], partitioning: { column: 'dt', from: 'ingestion' } }] },
      'partition column "dt" must not also be a data column',
    ],
  ])('rejects %s', (_, change, message) => {
    expect(() => defineDataset({ ...base, ...change })).toThrow(message);
  });
});
