import { col, defineDataset, t } from '@nfe-lake/lake-core';

/** Brazilian state codes (UF), the issuer/recipient state domain. */
export const BR_STATES = [
  'AC', 'AL', 'AM', 'AP', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MG', 'MS', 'MT', 'PA',
  'PB', 'PE', 'PI', 'PR', 'RJ', 'RN', 'RO', 'RR', 'RS', 'SC', 'SE', 'SP', 'TO',
] as const;

export const INVOICE_STATUSES = ['authorized', 'cancelled', 'denied'] as const;

const money = () => t.decimal(15, 2);
const quantity = () => t.decimal(15, 4);

const itemFields = [
  col('item_number', t.int(), 'Item sequence within the invoice (nItem), 1-based.', { nullable: false, min: 1 }),
  col('product_code', t.string(), 'Issuer product code (cProd).', { nullable: false }),
  col('description', t.string(), 'Product description (xProd).', { nullable: false }),
  col('ncm', t.string(), 'Mercosur product classification (NCM), 8 digits.', { pattern: '^[0-9]{8}$' }),
  col('cfop', t.string(), 'Fiscal operation code (CFOP), 4 digits.', { nullable: false, pattern: '^[0-9]{4}$' }),
  col('unit', t.string(), 'Commercial unit (uCom).'),
  col('quantity', quantity(), 'Quantity (qCom).', { nullable: false, min: 0 }),
  col('unit_price', quantity(), 'Unit price (vUnCom).', { nullable: false, min: 0 }),
  col('total_price', money(), 'Item gross total (vProd).', { nullable: false, min: 0 }),
  col('discount', money(), 'Item discount (vDesc).', { min: 0 }),
  col('icms_amount', money(), 'ICMS tax amount of the item.', { min: 0 }),
];

const party = (who: string, docPattern: string) =>
  t.struct([
    col('document', t.string(), `${who} CNPJ (14 digits) or CPF (11 digits).`, { nullable: false, pattern: docPattern }),
    col('name', t.string(), `${who} legal name.`, { nullable: false }),
    col('state', t.string(), `${who} state (UF).`, { nullable: false, enum: BR_STATES }),
    col('city', t.string(), `${who} city name.`),
  ]);

const columns = [
  col('invoice_id', t.string(), 'NF-e access key (chave de acesso), 44 digits.', { nullable: false, pattern: '^[0-9]{44}$' }),
  col('number', t.long(), 'Invoice number (nNF).', { nullable: false, min: 1 }),
  col('series', t.int(), 'Invoice series.', { nullable: false, min: 0 }),
  col('model', t.string(), 'Document model: 55 (NF-e) or 65 (NFC-e).', { nullable: false, enum: ['55', '65'] }),
  col('status', t.string(), 'SEFAZ status of the invoice.', { nullable: false, enum: INVOICE_STATUSES }),
  col('issued_at', t.timestamp(), 'Issue date-time (dhEmi), ISO 8601 with offset.', { nullable: false }),
  col('updated_at', t.timestamp(), 'Last change of the invoice at the source (event time).', { nullable: false }),
  col('operation_nature', t.string(), 'Nature of the operation (natOp).'),
  col('issuer', party('Issuer', '^[0-9]{14}$'), 'Issuing company (emit).', { nullable: false }),
  col('recipient', party('Recipient', '^([0-9]{11}|[0-9]{14})$'), 'Recipient (dest).'),
  col('total_products', money(), 'Sum of item totals (vProd).', { nullable: false, min: 0 }),
  col('total_discount', money(), 'Total discount (vDesc).', { min: 0 }),
  col('total_tax', money(), 'Total taxes (vTotTrib).', { min: 0 }),
  col('total_amount', money(), 'Invoice total (vNF).', { nullable: false, min: 0 }),
  col('items', t.array(t.struct(itemFields)), 'Invoice items (det).', { nullable: false }),
];

// Named queries are Athena engine v3 (Trino) SQL; date partitions are `date` columns, filtered with date arithmetic.
const since = (column: string, days: number) => `${column} >= current_date - interval '${days}' day`;

/** The seed's worked example: NF-e-like electronic invoices with nested items. */
export default defineDataset({
  name: 'nfe_invoice',
  version: 1,
  description: 'NF-e style electronic invoices: one header with issuer, recipient, totals and nested items.',
  columns,
  primaryKey: ['invoice_id'],
  eventTimeField: 'updated_at',
  businessDateField: 'issued_at',
  curated: {
    table: 'invoices',
    arrays: { items: { mode: 'explode', table: 'invoice_items', key: ['item_number'] } },
  },
  analytics: [
    {
      name: 'daily_revenue_by_state',
      description: 'Authorised invoice revenue per issuer state and issue date (cancelled/denied counted, not summed).',
      columns: [
        col('issuer_state', t.string(), 'Issuer state (UF).', { nullable: false }),
        col('invoice_count', t.long(), 'Authorised invoices.', { nullable: false }),
        col('item_count', t.long(), 'Items on authorised invoices.', { nullable: false }),
        col('revenue', t.decimal(18, 2), 'Sum of total_amount of authorised invoices.', { nullable: false }),
        col('tax', t.decimal(18, 2), 'Sum of total_tax of authorised invoices.', { nullable: false }),
        col('cancelled_count', t.long(), 'Cancelled invoices.', { nullable: false }),
      ],
      primaryKey: ['issuer_state'],
      sql: `SELECT dt, issuer_state,
  count(CASE WHEN status = 'authorized' THEN 1 END) AS invoice_count,
  coalesce(sum(CASE WHEN status = 'authorized' THEN items_count END), 0) AS item_count,
  CAST(coalesce(sum(CASE WHEN status = 'authorized' THEN total_amount END), 0) AS DECIMAL(18,2)) AS revenue,
  CAST(coalesce(sum(CASE WHEN status = 'authorized' THEN coalesce(total_tax, 0) END), 0) AS DECIMAL(18,2)) AS tax,
  count(CASE WHEN status = 'cancelled' THEN 1 END) AS cancelled_count
FROM invoices
GROUP BY dt, issuer_state`,
    },
    {
      name: 'top_products_daily',
      description: 'Top 100 products by revenue per issue date (authorised invoices only), with rank.',
      columns: [
        col('product_code', t.string(), 'Issuer product code.', { nullable: false }),
        col('description', t.string(), 'Most frequent description of the product.', { nullable: false }),
        col('quantity', t.decimal(20, 4), 'Quantity sold.', { nullable: false }),
        col('revenue', t.decimal(18, 2), 'Sum of item total_price.', { nullable: false }),
        col('invoice_count', t.long(), 'Distinct invoices with the product.', { nullable: false }),
        col('revenue_rank', t.int(), 'Rank by revenue within the day (1 = highest).', { nullable: false }),
      ],
      primaryKey: ['product_code'],
      sql: `WITH sold AS (
  SELECT i.* FROM invoice_items i LEFT SEMI JOIN (SELECT invoice_id, dt FROM invoices WHERE status = 'authorized') a
    ON i.invoice_id = a.invoice_id AND i.dt = a.dt
),
descriptions AS (
  SELECT dt, product_code, description,
    row_number() OVER (PARTITION BY dt, product_code ORDER BY count(*) DESC, description) AS r
  FROM sold GROUP BY dt, product_code, description
),
products AS (
  SELECT dt, product_code, CAST(sum(quantity) AS DECIMAL(20,4)) AS quantity, CAST(sum(total_price) AS DECIMAL(18,2)) AS revenue,
    count(DISTINCT invoice_id) AS invoice_count
  FROM sold GROUP BY dt, product_code
),
ranked AS (
  SELECT p.dt, p.product_code, d.description, p.quantity, p.revenue, p.invoice_count,
    row_number() OVER (PARTITION BY p.dt ORDER BY p.revenue DESC, p.product_code) AS revenue_rank
  FROM products p JOIN descriptions d ON d.dt = p.dt AND d.product_code = p.product_code AND d.r = 1
)
SELECT * FROM ranked WHERE revenue_rank <= 100`,
    },
  ],
  namedQueries: [
    {
      name: 'revenue-by-state-last-30-days',
      description: 'Authorised revenue and invoice count per issuer state over the last 30 days.',
      sql: `SELECT issuer_state, sum(invoice_count) AS invoices, sum(revenue) AS revenue, sum(tax) AS tax
FROM daily_revenue_by_state
WHERE ${since('dt', 30)}
GROUP BY issuer_state
ORDER BY revenue DESC`,
    },
    {
      name: 'top-10-products-yesterday',
      description: 'The ten best-selling products by revenue on the previous day.',
      sql: `SELECT product_code, description, quantity, revenue, invoice_count
FROM top_products_daily
WHERE dt = current_date - interval '1' day AND revenue_rank <= 10
ORDER BY revenue_rank`,
    },
    // `100e0` is a double: `100.0` would be a decimal(4,1), and round(decimal, 2) keeps scale 1 (5.7, not 5.69)
    {
      name: 'cancellation-rate-by-day',
      description: 'Share of cancelled invoices per issue date over the last 30 days.',
      sql: `SELECT dt AS issue_date, count(*) AS invoices,
  round(count_if(status = 'cancelled') * 100e0 / count(*), 2) AS cancelled_pct
FROM invoices
WHERE ${since('dt', 30)}
GROUP BY 1
ORDER BY 1`,
    },
    {
      name: 'raw-records-by-ingest-date',
      description: 'Raw records and files per collector window date over the last 7 days (collector health: a missing or thin day is a window not collected or short).',
      sql: `SELECT ingest_date, count(*) AS records, count(DISTINCT "$path") AS files
FROM raw_nfe_invoice
WHERE ${since('ingest_date', 7)}
GROUP BY 1
ORDER BY 1`,
    },
  ],
});
