import { z } from 'zod';
import { Problem, formatValue, zodProblems } from '../common/problems';
import { analyticsTableSchema, ColumnInput, ColumnTypeInput, datasetContractSchema, DatasetContractInput, parseTypeText } from './schema';
import { Column, ColumnType, col, isNullable, t } from './types';

/** How a table is partitioned in S3 and in the Glue catalog. */
export interface DatePartitioning {
  /** Partition column name, e.g. `dt` or `ingest_date`. */
  readonly column: string;
  /** Source of the partition value: a date/timestamp column of the record, or the ingestion date. */
  readonly from: { readonly field: string } | 'ingestion';
}

/** Where one output column of a curated table comes from (see the exported contract, format 2). */
export type ColumnSource =
  | { readonly name: string; readonly from: 'record'; readonly path: readonly string[] }
  | { readonly name: string; readonly from: 'element'; readonly path: readonly string[] }
  | { readonly name: string; readonly from: 'position' }
  | { readonly name: string; readonly from: 'count'; readonly path: readonly string[] }
  | { readonly name: string; readonly from: 'lineage' };

/** How a derived table is computed: from each record, from each element of an array, or by SQL. */
export type TableSource =
  | { readonly kind: 'record'; readonly columns: readonly ColumnSource[] }
  | { readonly kind: 'explode'; readonly array: readonly string[]; readonly columns: readonly ColumnSource[] }
  | { readonly kind: 'sql'; readonly sql: string; readonly reads: readonly string[] };

/** A table derived from the dataset (curated or analytics layer). */
export interface DerivedTable {
  readonly name: string;
  readonly layer: 'curated' | 'analytics';
  readonly description: string;
  /** Data columns, in the order of `source.columns` for curated tables; the partition column is not one of them. */
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
  readonly partitioning: DatePartitioning;
  readonly source: TableSource;
}

/** An Athena named query, deployed to the lake's workgroup. */
export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  /** Athena (Trino) SQL with unqualified table names. */
  readonly sql: string;
}

/** A resolved dataset contract: what `defineDataset` returns, derived tables filled in. */
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
  /** Business date column, partitioning the curated and analytics layers. */
  readonly businessDateField: string;
  /** Raw layer partitioning (by the collector window's start date). */
  readonly rawPartitioning: DatePartitioning;
  readonly curated: readonly DerivedTable[];
  readonly analytics: readonly DerivedTable[];
  readonly namedQueries: readonly NamedQuery[];
}

/**
 * Columns appended to every curated table so each row points back to its raw object.
 */
export const LINEAGE_COLUMNS: readonly Column[] = [
  col('ingest_date', t.date(), 'Start date (UTC) of the collector window that fetched the record: the raw partition it came from.', { nullable: false }),
  col('run_id', t.string(), 'Collector run that fetched the record.', { nullable: false }),
  col('source_key', t.string(), 'S3 key of the raw object the record came from.', { nullable: false }),
];

/** Partition column of the curated and analytics layers, filled from the business date. */
export const BUSINESS_DATE_PARTITION = 'dt';
/** Glue name of a dataset's raw JSON table (the catalog registers it, queries and tools read it). */
export const rawTableName = (dataset: string): string => `raw_${dataset}`;
/** Element key of an exploded array without a declared key: the 1-based position in the array. */
export const POSITION_COLUMN = 'position';

/** A contract that breaks the rules: every problem with its path, value and fix. */
export class ContractError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: readonly Problem[],
  ) {
    super(problems.map((p) => `invalid ${p.path} in ${origin}: got ${formatValue(p.value)}; ${p.expected}`).join('\n'));
    this.name = 'ContractError';
  }
}

/**
 * Checks a contract (the input shape of `datasetContractSchema`) and resolves it: curated tables
 * derived from the columns (structs flattened, arrays exploded or kept nested), analytics tables
 * and named queries as declared. `origin` names the contract in errors (e.g. its file path).
 */
export function defineDataset(input: ContractSpec, origin?: string): DatasetContract {
  const where = origin ?? `dataset contract ${JSON.stringify((input as { name?: unknown })?.name ?? '(unnamed)')}`;
  const parsed = datasetContractSchema.safeParse(input);
  if (!parsed.success) throw new ContractError(where, zodProblems(input, parsed.error));
  const resolver = new Resolver(parsed.data);
  const contract = resolver.resolve();
  if (resolver.problems.length) throw new ContractError(where, resolver.problems);
  return contract;
}

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** What `defineDataset` accepts: the contract input shape, with `col`/`t` builders' readonly columns welcome. */
export type ContractSpec = DeepReadonly<DatasetContractInput>;

type ParsedInput = z.output<typeof datasetContractSchema>;
type ArrayMode = NonNullable<NonNullable<ParsedInput['curated']>['arrays']>[string];

function toType(input: ColumnTypeInput): ColumnType {
  if (typeof input === 'string') {
    const parsed = parseTypeText(input);
    if (!parsed) throw new Error(`unparseable type ${JSON.stringify(input)} passed the contract schema`);
    return parsed;
  }
  if (input.kind === 'array') return { kind: 'array', element: toType(input.element) };
  if (input.kind === 'struct') return { kind: 'struct', fields: input.fields.map(toColumn) };
  return input;
}

/** A column of the input shape with its type resolved (text types parsed) and `nullable` explicit. */
export function toColumn(input: ColumnInput): Column {
  const { type, nullable, ...rest } = input;
  return { ...rest, type: toType(type), nullable: nullable ?? true };
}

const NUMERIC = new Set(['int', 'long', 'double', 'decimal']);
const isTemporal = (c: Column) => c.type.kind === 'date' || c.type.kind === 'timestamp';
const isScalar = (c: Column) => c.type.kind !== 'struct' && c.type.kind !== 'array';

class Resolver {
  readonly problems: Problem[] = [];
  private readonly columns: Column[];
  private readonly byName: Map<string, Column>;
  private readonly partitioning: DatePartitioning;

  constructor(private readonly input: ParsedInput) {
    this.columns = input.columns.map(toColumn);
    this.byName = new Map(this.columns.map((c) => [c.name, c]));
    this.partitioning = { column: BUSINESS_DATE_PARTITION, from: { field: input.businessDateField } };
  }

  private problem(path: string, value: unknown, expected: string): void {
    this.problems.push({ path, value, expected });
  }

  resolve(): DatasetContract {
    const input = this.input;
    this.checkColumns(this.columns, 'columns');
    const topLevel = `one of the top-level columns: ${[...this.byName.keys()].join(', ')}`;
    input.primaryKey.forEach((key, i) => {
      const column = this.byName.get(key);
      if (!column) return this.problem(`primaryKey[${i}]`, key, topLevel);
      if (!isScalar(column)) this.problem(`primaryKey[${i}]`, key, `a key column must be a scalar, not a ${column.type.kind}`);
      else if (isNullable(column)) this.problem(`primaryKey[${i}]`, key, `a key column must be required: set nullable: false on column "${key}"`);
    });
    for (const field of ['eventTimeField', 'businessDateField'] as const) {
      const column = this.byName.get(input[field]);
      if (!column) this.problem(field, input[field], `${topLevel} (a date or timestamp)`);
      else if (!isTemporal(column)) this.problem(field, input[field], `a date or timestamp column, not ${column.type.kind}`);
      else if (isNullable(column)) this.problem(field, input[field], `a required column: set nullable: false on column "${column.name}"`);
    }
    const curated = this.curated();
    const analytics = (input.analytics ?? []).map((a, i) => this.analyticsTable(a, i, curated));
    this.checkUnique([...curated, ...analytics].map((table) => table.name), (i) => (i < curated.length ? `curated table "${[...curated, ...analytics][i].name}"` : `analytics[${i - curated.length}].name`), 'a table name no other table of the dataset has');
    const namedQueries = input.namedQueries ?? [];
    this.checkUnique(namedQueries.map((q) => q.name), (i) => `namedQueries[${i}].name`, 'a query name no other query of the dataset has');
    return {
      name: input.name,
      version: input.version,
      description: input.description,
      columns: this.columns,
      primaryKey: input.primaryKey,
      eventTimeField: input.eventTimeField,
      businessDateField: input.businessDateField,
      rawPartitioning: { column: 'ingest_date', from: 'ingestion' },
      curated,
      analytics,
      namedQueries,
    };
  }

  private checkUnique(names: readonly string[], pathOf: (i: number) => string, expected: string): void {
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) this.problem(pathOf(i), name, expected);
    });
  }

  private checkColumns(columns: readonly Column[], path: string): void {
    this.checkUnique(columns.map((c) => c.name), (i) => `${path}[${i}].name`, 'a column name unique among its siblings');
    columns.forEach((column, i) => {
      const at = `${path}[${i}]`;
      const base = column.type.kind === 'array' ? column.type.element : column.type;
      if ((column.enum || column.pattern) && base.kind !== 'string') {
        this.problem(`${at}.${column.enum ? 'enum' : 'pattern'}`, column.enum ?? column.pattern, `enum and pattern apply to string columns only; "${column.name}" is ${base.kind}`);
      }
      if ((column.min !== undefined || column.max !== undefined) && !NUMERIC.has(base.kind)) {
        this.problem(`${at}.${column.min !== undefined ? 'min' : 'max'}`, column.min ?? column.max, `min and max apply to numeric columns only; "${column.name}" is ${base.kind}`);
      }
      if (column.min !== undefined && column.max !== undefined && column.min > column.max) this.problem(`${at}.max`, column.max, `a maximum >= the minimum ${column.min}`);
      if (column.type.kind === 'decimal' && column.type.scale > column.type.precision) {
        this.problem(`${at}.type`, column.type, 'a decimal scale no larger than its precision');
      }
      let type = column.type;
      let typePath = `${at}.type`;
      while (type.kind === 'array') {
        type = type.element;
        typePath += '.element';
      }
      if (type.kind === 'struct') this.checkColumns(type.fields, `${typePath}.fields`);
    });
  }

  // -- curated: one parent table, one child table per exploded array ------------------------------

  private curated(): DerivedTable[] {
    const input = this.input;
    const parentName = input.curated?.table ?? input.name;
    const modes = input.curated?.arrays ?? {};
    const resolved = new Set<string>();
    const parent: Column[] = [];
    const parentSources: ColumnSource[] = [];
    const children: DerivedTable[] = [];
    const keyColumns = input.primaryKey.flatMap((k) => this.byName.get(k) ?? []);

    const walk = (columns: readonly Column[], path: readonly string[], nullable: boolean, description: string) => {
      for (const column of columns) {
        const at = [...path, column.name];
        const name = at.join('_');
        const nullableHere = nullable || isNullable(column);
        const describedAs = description ? `${description} - ${column.description}` : column.description;
        if (column.type.kind === 'struct') {
          walk(column.type.fields, at, nullableHere, describedAs);
          continue;
        }
        if (column.type.kind === 'array') {
          const arrayPath = at.join('.');
          resolved.add(arrayPath);
          const element = column.type.element;
          const mode: ArrayMode = modes[arrayPath] ?? (element.kind === 'struct' ? { mode: 'explode' } : { mode: 'nested' });
          if (mode.mode === 'explode') {
            if (element.kind !== 'struct') {
              this.problem(`curated.arrays["${arrayPath}"].mode`, mode.mode, `only arrays of structs can be exploded ("${arrayPath}" holds ${element.kind}): use mode "nested"`);
              continue;
            }
            parent.push(col(`${name}_count`, t.int(), `Number of elements of ${arrayPath} (0 when absent).`, { nullable: false, min: 0 }));
            parentSources.push({ name: `${name}_count`, from: 'count', path: at });
            children.push(this.childTable(parentName, at, element.fields, mode, keyColumns));
            continue;
          }
        }
        parent.push({ ...column, name, description: describedAs, nullable: nullableHere });
        parentSources.push({ name, from: 'record', path: at });
      }
    };
    walk(this.columns, [], false, '');
    for (const path of Object.keys(modes)) {
      if (!resolved.has(path)) {
        this.problem(`curated.arrays["${path}"]`, path, `the dot path of an array column outside exploded elements; arrays here: ${[...resolved].join(', ') || 'none'}`);
      }
    }
    const parentTable = this.table(parentName, `One row per ${this.input.name} record (latest version of each key), structs flattened; partitioned by ${this.input.businessDateField}.`, parent, parentSources, input.primaryKey, {
      kind: 'record',
    });
    return [parentTable, ...children];
  }

  private childTable(parentName: string, arrayPath: readonly string[], fields: readonly Column[], mode: Extract<ArrayMode, { mode: 'explode' }>, keyColumns: readonly Column[]): DerivedTable {
    const at = `curated.arrays["${arrayPath.join('.')}"]`;
    const columns: Column[] = keyColumns.map((k) => ({ ...k }));
    const sources: ColumnSource[] = keyColumns.map((k) => ({ name: k.name, from: 'record', path: [k.name] }));
    const fieldNames = new Map(fields.map((f) => [f.name, f]));
    (mode.key ?? []).forEach((key, i) => {
      const field = fieldNames.get(key);
      if (!field) this.problem(`${at}.key[${i}]`, key, `a field of the ${arrayPath.join('.')} elements: ${[...fieldNames.keys()].join(', ')}`);
      else if (!isScalar(field) || isNullable(field)) this.problem(`${at}.key[${i}]`, key, `a required scalar field: set nullable: false on "${key}"`);
    });
    if (!mode.key) {
      columns.push(col(POSITION_COLUMN, t.int(), `1-based position of the element in ${arrayPath.join('.')}.`, { nullable: false, min: 1 }));
      sources.push({ name: POSITION_COLUMN, from: 'position' });
    }
    // element fields: structs flattened, arrays inside elements stay nested
    const walk = (columns_: readonly Column[], path: readonly string[], nullable: boolean, description: string) => {
      for (const column of columns_) {
        const p = [...path, column.name];
        const nullableHere = nullable || isNullable(column);
        const describedAs = description ? `${description} - ${column.description}` : column.description;
        if (column.type.kind === 'struct') walk(column.type.fields, p, nullableHere, describedAs);
        else {
          columns.push({ ...column, name: p.join('_'), description: describedAs, nullable: nullableHere });
          sources.push({ name: p.join('_'), from: 'element', path: p });
        }
      }
    };
    walk(fields, [], false, '');
    const name = mode.table ?? `${parentName}_${arrayPath[arrayPath.length - 1]}`;
    const parentKey = keyColumns.map((k) => k.name);
    return this.table(
      name,
      `One row per element of ${arrayPath.join('.')}, keyed by ${[...parentKey, ...(mode.key ?? [POSITION_COLUMN])].join(', ')}; partitioned by the record's ${this.input.businessDateField}.`,
      columns,
      sources,
      [...parentKey, ...(mode.key ?? [POSITION_COLUMN])],
      { kind: 'explode', array: arrayPath },
    );
  }

  /** A curated table with lineage appended; derived column names must not collide. */
  private table(name: string, description: string, columns: Column[], sources: ColumnSource[], primaryKey: readonly string[], source: { kind: 'record' } | { kind: 'explode'; array: readonly string[] }): DerivedTable {
    const all = [...columns, ...LINEAGE_COLUMNS];
    const allSources: ColumnSource[] = [...sources, ...LINEAGE_COLUMNS.map((c) => ({ name: c.name, from: 'lineage' as const }))];
    const names = all.map((c) => c.name);
    names.forEach((n, i) => {
      const clash = names.indexOf(n) !== i ? allSources[names.indexOf(n)] : n === BUSINESS_DATE_PARTITION ? undefined : null;
      if (clash === null) return;
      const what = describeSource(allSources[i]);
      this.problem(
        `curated table "${name}"`,
        n,
        clash ? `unique column names: ${what} and ${describeSource(clash)} both become "${n}"; rename one of them` : `no column named "${n}" (${what}): it is the partition column; rename it`,
      );
    });
    return { name, layer: 'curated', description, columns: all, primaryKey, partitioning: this.partitioning, source: { ...source, columns: allSources } };
  }

  // -- analytics: declared columns, SQL over the curated tables -------------------------------------

  private analyticsTable(input: z.output<typeof analyticsTableSchema>, i: number, curated: readonly DerivedTable[]): DerivedTable {
    const at = `analytics[${i}]`;
    const columns = input.columns.map(toColumn);
    this.checkColumns(columns, `${at}.columns`);
    const names = new Set(columns.map((c) => c.name));
    if (names.has(BUSINESS_DATE_PARTITION)) {
      this.problem(`${at}.columns`, BUSINESS_DATE_PARTITION, `no column "${BUSINESS_DATE_PARTITION}": it is the partition column, the SQL outputs it besides the declared columns`);
    }
    input.primaryKey.forEach((key, k) => {
      if (!names.has(key)) this.problem(`${at}.primaryKey[${k}]`, key, `one of the declared columns: ${[...names].join(', ')}`);
    });
    const reads = curated.map((c) => c.name).filter((table) => new RegExp(`\\b${table}\\b`, 'i').test(input.sql));
    if (!reads.length) this.problem(`${at}.sql`, input.sql, `SQL over the curated tables by name: ${curated.map((c) => c.name).join(', ')}`);
    return {
      name: input.name,
      layer: 'analytics',
      description: input.description,
      columns,
      primaryKey: input.primaryKey,
      partitioning: this.partitioning,
      source: { kind: 'sql', sql: input.sql, reads },
    };
  }
}

function describeSource(source: ColumnSource): string {
  switch (source.from) {
    case 'record':
      return `field ${source.path.join('.')}`;
    case 'element':
      return `element field ${source.path.join('.')}`;
    case 'count':
      return `the element count of ${source.path.join('.')}`;
    case 'position':
      return 'the derived element position';
    case 'lineage':
      return 'a lineage column';
  }
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
