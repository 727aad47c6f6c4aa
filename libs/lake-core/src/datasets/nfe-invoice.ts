import { defineDataset } from '../contract/dataset';
import { explodeChild, flattenParent } from '../contract/normalize';
import { col, t } from '../contract/types';

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

const rawColumns = [
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

const byIssueDate = { column: 'dt', from: { field: 'issued_at' } } as const;

/** The demo dataset: NF-e-like electronic invoices with nested items. */
export const nfeInvoice = defineDataset({
  name: 'nfe_invoice',
  version: 1,
  description: 'NF-e style electronic invoices: one header with issuer, recipient, totals and nested items.',
  columns: rawColumns,
  primaryKey: ['invoice_id'],
  eventTimeField: 'updated_at',
  businessDateField: 'issued_at',
  rawPartitioning: { column: 'ingest_date', from: 'ingestion' },
  curated: [
    {
      name: 'invoices',
      layer: 'curated',
      description: 'One row per invoice (latest version), issuer/recipient flattened; partitioned by issue date.',
      columns: flattenParent(rawColumns, [
        col('item_count', t.int(), 'Number of items on the invoice.', { nullable: false, min: 0 }),
      ]),
      primaryKey: ['invoice_id'],
      partitioning: byIssueDate,
    },
    {
      name: 'invoice_items',
      layer: 'curated',
      description: 'One row per invoice item with its parent invoice key; partitioned by the invoice issue date.',
      columns: explodeChild(rawColumns, 'items', ['invoice_id']),
      primaryKey: ['invoice_id', 'item_number'],
      partitioning: byIssueDate,
    },
  ],
  analytics: [
    {
      name: 'daily_revenue_by_state',
      layer: 'analytics',
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
      partitioning: byIssueDate,
    },
    {
      name: 'top_products_daily',
      layer: 'analytics',
      description: 'Top products by revenue per issue date (authorised invoices only), with rank.',
      columns: [
        col('product_code', t.string(), 'Issuer product code.', { nullable: false }),
        col('description', t.string(), 'Most frequent description of the product.', { nullable: false }),
        col('quantity', t.decimal(20, 4), 'Quantity sold.', { nullable: false }),
        col('revenue', t.decimal(18, 2), 'Sum of item total_price.', { nullable: false }),
        col('invoice_count', t.long(), 'Distinct invoices with the product.', { nullable: false }),
        col('revenue_rank', t.int(), 'Rank by revenue within the day (1 = highest).', { nullable: false }),
      ],
      primaryKey: ['product_code'],
      partitioning: byIssueDate,
    },
  ],
});

/** Every dataset the lake knows, by name. */
export const DATASETS = { [nfeInvoice.name]: nfeInvoice } as const;
