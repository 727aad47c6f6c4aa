import { DatasetContract, DerivedTable } from '../contract/dataset';
import { Column, ColumnType } from '../contract/types';

/** A Glue/Hive column as `aws_glue_catalog_table` expects it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** Hive DDL type of a contract type, e.g. `array<struct<item_number:int,...>>`. */
export function hiveType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
    case 'int':
    case 'double':
    case 'boolean':
    case 'date':
    case 'timestamp':
      return type.kind;
    case 'long':
      return 'bigint';
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return `array<${hiveType(type.element)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
  }
}

/** Glue comments are limited to 255 characters. */
const comment = (c: Column) => (c.description.length > 255 ? `${c.description.slice(0, 252)}...` : c.description);

export function glueColumns(columns: readonly Column[]): GlueColumn[] {
  return columns.map((c) => ({ name: c.name, type: hiveType(c.type), comment: comment(c) }));
}

/**
 * Raw-layer Glue columns. Timestamps stay strings in the raw JSON table: the OpenX JSON SerDe
 * cannot parse ISO 8601 with offsets into `timestamp`, and the raw table is for lineage and
 * debugging, not analytics. Decimals are read as the JSON numbers they are.
 */
export function rawGlueColumns(contract: DatasetContract): GlueColumn[] {
  const rawType = (type: ColumnType): ColumnType => {
    if (type.kind === 'timestamp') return { kind: 'string' };
    if (type.kind === 'array') return { kind: 'array', element: rawType(type.element) };
    if (type.kind === 'struct') return { kind: 'struct', fields: type.fields.map((f) => ({ ...f, type: rawType(f.type) })) };
    return type;
  };
  return glueColumns(contract.columns.map((c) => ({ ...c, type: rawType(c.type) })));
}

export function tableGlueColumns(table: DerivedTable): GlueColumn[] {
  return glueColumns(table.columns);
}

/**
 * Partition keys of a table as Glue columns: every date partition is a `date`, in raw and curated
 * tables alike, so analysts filter with date literals and date arithmetic
 * (`WHERE dt >= current_date - interval '7' day`). S3 keeps `YYYY-MM-DD` in the path.
 */
export function gluePartitionKeys(table: Pick<DerivedTable, 'partitioning'>): GlueColumn[] {
  return [{ name: table.partitioning.column, type: 'date', comment: 'Date partition (YYYY-MM-DD in the S3 path).' }];
}
