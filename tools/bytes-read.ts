/**
 * The bytes-read comparison of the demo (step 8) and of bench/bytes-read-bench.ts: one business day,
 * three columns, asked of a dataset's main curated table (Parquet, partitioned by the business date)
 * and of its raw JSON table (partitioned by the collector window, so it cannot prune by business date).
 * Tables, columns and the date filter come from the dataset's contract.
 */
import { BUSINESS_DATE_PARTITION, Column, DatasetContract, rawTableName } from '@nfe-lake/lake-core';
import type { LocalTrino, TrinoResult } from '@nfe-lake/local-aws';

export interface BusinessDayScan {
  readonly day: string;
  readonly columns: readonly string[];
  readonly curated: { readonly table: string; readonly sql: string };
  readonly raw: { readonly table: string; readonly sql: string };
}

const SCANNED_COLUMNS = 3;
const isScalar = (c: Column) => c.type.kind !== 'struct' && c.type.kind !== 'array';

/**
 * The question as SQL: the primary key, then the next top-level scalar columns the main curated table
 * keeps under the same name, in contract order; the business date column is the filter (a string
 * in raw, where timestamps stay as served, so both sides compare its first ten characters there).
 */
export function businessDayScan(contract: DatasetContract, day: string): BusinessDayScan {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`invalid business day: got ${JSON.stringify(day)}; use YYYY-MM-DD`);
  const main = contract.curated[0];
  const curatedColumns = new Set(main.columns.map((c) => c.name));
  const candidates = contract.columns.filter((c) => isScalar(c) && c.name !== contract.businessDateField && curatedColumns.has(c.name)).map((c) => c.name);
  const columns = [...contract.primaryKey, ...candidates.filter((c) => !contract.primaryKey.includes(c))].slice(0, SCANNED_COLUMNS);
  if (columns.length < SCANNED_COLUMNS) {
    throw new Error(
      `invalid dataset ${contract.name} for the bytes-read comparison: got ${columns.length} top-level scalar columns kept by table ${main.name} (${columns.join(', ')}); it needs ${SCANNED_COLUMNS}`,
    );
  }
  const list = columns.join(', ');
  return {
    day,
    columns,
    curated: { table: main.name, sql: `SELECT ${list} FROM ${main.name} WHERE ${BUSINESS_DATE_PARTITION} = DATE '${day}'` },
    raw: { table: rawTableName(contract.name), sql: `SELECT ${list} FROM ${rawTableName(contract.name)} WHERE substr(CAST(${contract.businessDateField} AS varchar), 1, 10) = '${day}'` },
  };
}

export interface BytesRead {
  readonly scan: BusinessDayScan;
  readonly curated: { readonly rows: number; readonly bytesRead: number; readonly elapsedMs: number };
  readonly raw: { readonly rows: number; readonly bytesRead: number; readonly elapsedMs: number };
  /** Curated bytes read as a percentage of raw bytes read. */
  readonly curatedPercentOfRaw: number;
}

/** Runs both sides of the question through Trino and reads bytes read from its query statistics. */
export async function compareBytesRead(trino: LocalTrino, contract: DatasetContract, day: string, schema: string): Promise<BytesRead> {
  const scan = businessDayScan(contract, day);
  const figures = (r: TrinoResult) => ({ rows: r.rows.length, bytesRead: r.stats.physicalInputBytes, elapsedMs: r.stats.elapsedMs });
  const curated = figures(await trino.query(scan.curated.sql, { schema }));
  const raw = figures(await trino.query(scan.raw.sql, { schema }));
  return { scan, curated, raw, curatedPercentOfRaw: Number(((100 * curated.bytesRead) / raw.bytesRead).toFixed(2)) };
}

export const formatBytesRead = (b: BytesRead): string =>
  `bytes read, ${b.scan.curated.table} on ${b.scan.day} (${b.scan.columns.join(', ')}): curated ${b.curated.bytesRead} (${b.curated.rows} rows) vs raw ${b.raw.bytesRead} (${b.raw.rows} rows): ${b.curatedPercentOfRaw}% of raw`;
