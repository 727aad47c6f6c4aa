import { DatasetContract, findTable } from '@nfe-lake/lake-core';
import { NamedQuerySpec } from './lake-workgroup';

/**
 * The demo questions over the invoice dataset, in Athena engine v3 (Trino) SQL. Table and partition
 * names come from the contract, so renaming a table there fails here at synth rather than in Athena.
 * Date partitions are `date` columns: filter them with date arithmetic.
 */
export function demoQueries(contract: DatasetContract): NamedQuerySpec[] {
  const revenue = findTable(contract, 'daily_revenue_by_state');
  const products = findTable(contract, 'top_products_daily');
  const invoices = findTable(contract, 'invoices');
  const rawTable = `raw_${contract.name}`;
  const since = (column: string, days: number) => `${column} >= current_date - interval '${days}' day`;
  return [
    {
      name: 'revenue-by-state-last-30-days',
      description: 'Authorised revenue and invoice count per issuer state over the last 30 days.',
      sql: `SELECT issuer_state, sum(invoice_count) AS invoices, sum(revenue) AS revenue, sum(tax) AS tax
FROM ${revenue.name}
WHERE ${since(revenue.partitioning.column, 30)}
GROUP BY issuer_state
ORDER BY revenue DESC`,
    },
    {
      name: 'top-10-products-yesterday',
      description: 'The ten best-selling products by revenue on the previous day.',
      sql: `SELECT product_code, description, quantity, revenue, invoice_count
FROM ${products.name}
WHERE ${products.partitioning.column} = current_date - interval '1' day AND revenue_rank <= 10
ORDER BY revenue_rank`,
    },
    // `100e0` is a double: `100.0` would be a decimal(4,1), and round(decimal, 2) keeps scale 1 (5.7, not 5.69)
    {
      name: 'cancellation-rate-by-day',
      description: 'Share of cancelled invoices per issue date over the last 30 days.',
      sql: `SELECT ${invoices.partitioning.column} AS issue_date, count(*) AS invoices,
  round(count_if(status = 'cancelled') * 100e0 / count(*), 2) AS cancelled_pct
FROM ${invoices.name}
WHERE ${since(invoices.partitioning.column, 30)}
GROUP BY 1
ORDER BY 1`,
    },
    {
      name: 'raw-records-by-ingest-date',
      description: 'Raw records and files per collector window date over the last 7 days (collector health: a missing or thin day is a window not collected or short).',
      sql: `SELECT ${contract.rawPartitioning.column}, count(*) AS records, count(DISTINCT "$path") AS files
FROM ${rawTable}
WHERE ${since(contract.rawPartitioning.column, 7)}
GROUP BY 1
ORDER BY 1`,
    },
  ];
}
