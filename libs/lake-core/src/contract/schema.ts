import { z } from 'zod';
import { ColumnType, PRIMITIVE_KINDS } from './types';

/**
 * The input shape of a dataset contract: what a team writes, in TypeScript (with `col`/`t`) or
 * as JSON/YAML (checked against the JSON Schema generated from this). `defineDataset` adds the
 * cross-field rules and the derived tables.
 */

const SNAKE = /^[a-z][a-z0-9_]*$/;
const snake = (what: string) => z.string().regex(SNAKE, `${what} in snake_case: lowercase letters, digits and "_", starting with a letter`);

const TYPE_HINT = `one of ${PRIMITIVE_KINDS.join(', ')}, "decimal(p,s)", "array<T>", or an object { kind: "struct", fields: [...] } / { kind: "array", element: T }`;

/** Parses a type written as text: `string`, `decimal(15,2)`, `array<array<int>>`. */
export function parseTypeText(text: string): ColumnType | undefined {
  const trimmed = text.trim();
  if ((PRIMITIVE_KINDS as readonly string[]).includes(trimmed)) return { kind: trimmed as (typeof PRIMITIVE_KINDS)[number] };
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(trimmed);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  const array = /^array<(.+)>$/.exec(trimmed);
  if (array) {
    const element = parseTypeText(array[1]);
    return element && { kind: 'array', element };
  }
  return undefined;
}

const typeText = z
  .string()
  .regex(/^\s*(string|int|long|double|boolean|date|timestamp|decimal\(.*\)|array<.+>)\s*$/, TYPE_HINT)
  .refine((text) => parseTypeText(text) !== undefined, { error: TYPE_HINT });

const decimalType = z
  .object({ kind: z.literal('decimal'), precision: z.number().int().min(1).max(38), scale: z.number().int().min(0).max(38) })
  .strict()
  .refine((d) => d.scale <= d.precision, { error: 'a scale no larger than the precision', path: ['scale'] });

export type ColumnTypeInput =
  | string
  | { kind: (typeof PRIMITIVE_KINDS)[number] }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'array'; element: ColumnTypeInput }
  | { kind: 'struct'; fields: ColumnInput[] };

export interface ColumnInput {
  name: string;
  type: ColumnTypeInput;
  description: string;
  nullable?: boolean;
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}

const primitiveType = z.object({ kind: z.enum(PRIMITIVE_KINDS) }).strict();

export const columnTypeSchema: z.ZodType<ColumnTypeInput, ColumnTypeInput> = z.lazy(() =>
  z
    .union([typeText, z.discriminatedUnion('kind', [primitiveType, decimalType, arrayType, structType], { error: TYPE_HINT })], { error: TYPE_HINT })
    .meta({ id: 'ColumnType' }),
);

const arrayType = z.object({ kind: z.literal('array'), element: columnTypeSchema }).strict();
const structType = z.object({ kind: z.literal('struct'), fields: z.lazy(() => z.array(columnSchema).min(1)) }).strict();

const regex = z.string().refine(
  (p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'a valid regular expression' },
);

export const columnSchema: z.ZodType<ColumnInput, ColumnInput> = z
  .object({
    name: snake('a column name'),
    type: columnTypeSchema,
    description: z.string().min(1, 'a description (it goes into the Glue catalog and the docs)'),
    /** @default true */
    nullable: z.boolean().optional(),
    /** Allowed values of a string column. */
    enum: z.array(z.string()).min(1).optional(),
    /** Regular expression a string column must match. */
    pattern: regex.optional(),
    /** Minimum numeric value (inclusive). */
    min: z.number().optional(),
    /** Maximum numeric value (inclusive). */
    max: z.number().optional(),
  })
  .strict()
  .meta({ id: 'Column' });

const arrayModeSchema = z.discriminatedUnion(
  'mode',
  [
    z
      .object({
        mode: z.literal('explode'),
        /** Child table name. Default: `<parent table>_<last path segment>`. */
        table: snake('a table name').optional(),
        /** Element fields that identify an element within its parent. Default: a derived 1-based `position` column. */
        key: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict(),
    z.object({ mode: z.literal('nested') }).strict(),
  ],
  { error: 'mode "explode" (a child table) or "nested" (an array column of the parent)' },
);

export const analyticsTableSchema = z
  .object({
    name: snake('a table name'),
    description: z.string().min(1),
    /** The columns the SQL outputs (besides `dt`); Glue types come from here. */
    columns: z.array(columnSchema).min(1),
    primaryKey: z.array(z.string()).min(1),
    /** Spark SQL over the curated tables by their names (each holding the `dt` partitions this run touched). */
    sql: z.string().min(1),
  })
  .strict();

export const namedQuerySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,127}$/, 'lowercase letters, digits, "-" and "_" (at most 128)'),
    description: z.string().min(1),
    /** Athena (Trino) SQL; unqualified table names resolve in the lake's Glue database. */
    sql: z.string().min(1),
  })
  .strict();

export const datasetContractSchema = z
  .object({
    $schema: z.string().optional(),
    name: snake('a dataset name'),
    version: z.number().int().min(1),
    description: z.string().min(1),
    /** The columns of one raw record as the source API serves it. */
    columns: z.array(columnSchema).min(1),
    /** Top-level columns that identify a record (the dedupe key). */
    primaryKey: z.array(z.string()).min(1),
    /** Top-level date/timestamp column: the newest version of a key wins. */
    eventTimeField: z.string(),
    /** Top-level date/timestamp column partitioning the curated and analytics layers as `dt`. */
    businessDateField: z.string(),
    curated: z
      .object({
        /** Parent table name. Default: the dataset name. */
        table: snake('a table name').optional(),
        /** Per array column path (`items`, `customer.addresses`): explode into a child table or keep nested. */
        arrays: z.record(z.string(), arrayModeSchema).optional(),
      })
      .strict()
      .optional(),
    analytics: z.array(analyticsTableSchema).optional(),
    namedQueries: z.array(namedQuerySchema).optional(),
  })
  .strict();

export type DatasetContractInput = z.input<typeof datasetContractSchema>;

/** The published JSON Schema of contract files (`libs/lake-core/schema/dataset-contract.schema.json`). */
export function datasetContractJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(datasetContractSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'nfe-lake dataset contract',
  };
}
