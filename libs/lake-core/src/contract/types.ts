/**
 * The column type language of dataset contracts. Every downstream representation
 * (Hive/Glue types, Spark schema JSON, the record validator, docs) is derived from these.
 */
export const PRIMITIVE_KINDS = ['string', 'int', 'long', 'double', 'boolean', 'date', 'timestamp'] as const;
export type PrimitiveKind = (typeof PRIMITIVE_KINDS)[number];

export type ColumnType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly element: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly Column[] };

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** @default true */
  readonly nullable?: boolean;
  readonly description: string;
  /** Allowed values for a string column (validated, documented). */
  readonly enum?: readonly string[];
  /** Regular expression a string column must match (validated, documented). */
  readonly pattern?: string;
  /** Minimum numeric value (inclusive). */
  readonly min?: number;
  /** Maximum numeric value (inclusive). */
  readonly max?: number;
}

const prim = (kind: PrimitiveKind): ColumnType => ({ kind });

/** Type constructors: `t.decimal(15, 2)`, `t.array(t.struct([...]))`. */
export const t = {
  string: () => prim('string'),
  int: () => prim('int'),
  long: () => prim('long'),
  double: () => prim('double'),
  boolean: () => prim('boolean'),
  date: () => prim('date'),
  timestamp: () => prim('timestamp'),
  decimal: (precision: number, scale: number): ColumnType => {
    if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
      throw new Error(`decimal precision must be an integer in 1..38, got ${precision}`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal scale must be an integer in 0..${precision}, got ${scale}`);
    }
    return { kind: 'decimal', precision, scale };
  },
  array: (element: ColumnType): ColumnType => ({ kind: 'array', element }),
  struct: (fields: readonly Column[]): ColumnType => ({ kind: 'struct', fields }),
};

/** Column helper: `col('invoice_id', t.string(), 'Access key', { nullable: false })`. */
export function col(
  name: string,
  type: ColumnType,
  description: string,
  options: Omit<Column, 'name' | 'type' | 'description'> = {},
): Column {
  return { name, type, description, ...options };
}

export function isNullable(column: Column): boolean {
  return column.nullable ?? true;
}
