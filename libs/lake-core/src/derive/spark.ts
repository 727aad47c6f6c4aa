import { DatasetContract } from '../contract/dataset';
import { Column, ColumnType, isNullable } from '../contract/types';

/** Spark `DataType.json()` shapes: what `StructType.fromJson` in PySpark reads. */
export type SparkType =
  | string
  | { type: 'array'; elementType: SparkType; containsNull: boolean }
  | { type: 'struct'; fields: SparkField[] };

export interface SparkField {
  name: string;
  type: SparkType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

export interface SparkSchema {
  type: 'struct';
  fields: SparkField[];
}

export function sparkType(type: ColumnType): SparkType {
  switch (type.kind) {
    case 'string':
    case 'double':
    case 'boolean':
    case 'date':
    case 'timestamp':
      return type.kind;
    case 'int':
      return 'integer';
    case 'long':
      return 'long';
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return { type: 'array', elementType: sparkType(type.element), containsNull: false };
    case 'struct':
      return { type: 'struct', fields: type.fields.map(sparkField) };
  }
}

export function sparkField(column: Column): SparkField {
  return {
    name: column.name,
    type: sparkType(column.type),
    nullable: isNullable(column),
    metadata: { comment: column.description },
  };
}

export function sparkSchema(columns: readonly Column[]): SparkSchema {
  return { type: 'struct', fields: columns.map(sparkField) };
}

export function rawSparkSchema(contract: DatasetContract): SparkSchema {
  return sparkSchema(contract.columns);
}
