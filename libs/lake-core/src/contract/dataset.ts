import { Column, ColumnType, isNullable } from './types';

/** How a table is partitioned in S3 and in the Glue catalog. */
export interface DatePartitioning {
  /** Partition column name, e.g. `dt` or `ingest_date`. */
  readonly column: string;
  /** Source of the partition value: a date/timestamp column of the record, or the ingestion date. */
  readonly from: { readonly field: string } | 'ingestion';
}

/** A table derived from the dataset (curated or analytics layer). */
export interface DerivedTable {
  readonly name: string;
  readonly layer: 'curated' | 'analytics';
  readonly description: string;
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
  readonly partitioning: DatePartitioning;
}

export interface DatasetContract {
  /** Dataset name, snake_case; also the Glue raw table name suffix. */
  readonly name: string;
  /** Contract version; bump on breaking change. */
  readonly version: number;
  readonly description: string;
  /** The columns of one raw record as the source API serves it. */
  readonly columns: readonly Column[];
  /** Columns that identify a record (dedupe key). */
  readonly primaryKey: readonly string[];
  /** Event-time column: the newest version of a key wins. */
  readonly eventTimeField: string;
  /** Business date column, used to partition the curated layer. */
  readonly businessDateField: string;
  /** Raw layer partitioning (by ingestion date). */
  readonly rawPartitioning: DatePartitioning;
  readonly curated: readonly DerivedTable[];
  readonly analytics: readonly DerivedTable[];
}

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** Validates a contract's internal consistency; throws with the offending names. */
export function defineDataset(contract: DatasetContract): DatasetContract {
  const where = `dataset "${contract.name}"`;
  if (!SNAKE.test(contract.name)) throw new Error(`${where}: name must be snake_case`);
  checkColumns(contract.columns, where);
  const top = new Map(contract.columns.map((c) => [c.name, c]));
  for (const key of contract.primaryKey) {
    const column = top.get(key);
    if (!column) throw new Error(`${where}: primary key column "${key}" is not a column`);
    if (isNullable(column)) throw new Error(`${where}: primary key column "${key}" must be non-nullable`);
  }
  for (const field of [contract.eventTimeField, contract.businessDateField]) {
    const column = top.get(field);
    if (!column) throw new Error(`${where}: field "${field}" is not a column`);
    if (column.type.kind !== 'timestamp' && column.type.kind !== 'date') {
      throw new Error(`${where}: field "${field}" must be a date or timestamp, got ${column.type.kind}`);
    }
  }
  for (const table of [...contract.curated, ...contract.analytics]) {
    const tableWhere = `${where}, table "${table.name}"`;
    if (!SNAKE.test(table.name)) throw new Error(`${tableWhere}: name must be snake_case`);
    checkColumns(table.columns, tableWhere);
    const names = new Set(table.columns.map((c) => c.name));
    for (const key of table.primaryKey) {
      if (!names.has(key)) throw new Error(`${tableWhere}: primary key column "${key}" is not a column`);
    }
    if (names.has(table.partitioning.column)) {
      throw new Error(`${tableWhere}: partition column "${table.partitioning.column}" must not also be a data column`);
    }
  }
  return contract;
}

function checkColumns(columns: readonly Column[], where: string): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (!SNAKE.test(column.name)) throw new Error(`${where}: column "${column.name}" must be snake_case`);
    if (seen.has(column.name)) throw new Error(`${where}: duplicate column "${column.name}"`);
    seen.add(column.name);
    checkNested(column.type, `${where}, column "${column.name}"`);
  }
}

function checkNested(type: ColumnType, where: string): void {
  if (type.kind === 'struct') checkColumns(type.fields, where);
  if (type.kind === 'array') checkNested(type.element, where);
}

/** All tables of a dataset, curated first. */
export function derivedTables(contract: DatasetContract): readonly DerivedTable[] {
  return [...contract.curated, ...contract.analytics];
}

export function findTable(contract: DatasetContract, name: string): DerivedTable {
  const table = derivedTables(contract).find((t) => t.name === name);
  if (!table) {
    const known = derivedTables(contract).map((t) => t.name).join(', ');
    throw new Error(`dataset "${contract.name}" has no table "${name}" (known: ${known})`);
  }
  return table;
}
