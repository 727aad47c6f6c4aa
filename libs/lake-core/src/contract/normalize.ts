import { Column, col, t } from './types';

/**
 * Derives the columns of normalised (curated) tables from a nested raw record:
 * the parent table gets every scalar column plus struct fields flattened as `<struct>_<field>`;
 * each child table gets the parent key plus the fields of one array-of-struct column.
 * Lineage columns are appended to both so every curated row points back to its raw object.
 */
export const LINEAGE_COLUMNS: readonly Column[] = [
  col('ingest_date', t.date(), 'Start date (UTC) of the collector window that fetched the record: the raw partition it came from.', { nullable: false }),
  col('run_id', t.string(), 'Collector run that fetched the record.', { nullable: false }),
  col('source_key', t.string(), 'S3 key of the raw object the record came from.', { nullable: false }),
];

export function flattenParent(columns: readonly Column[], extra: readonly Column[] = []): Column[] {
  const out: Column[] = [];
  for (const column of columns) {
    if (column.type.kind === 'array') continue;
    if (column.type.kind === 'struct') {
      for (const field of column.type.fields) {
        out.push({
          ...field,
          name: `${column.name}_${field.name}`,
          description: `${column.description} - ${field.description}`,
          nullable: (column.nullable ?? true) || (field.nullable ?? true),
        });
      }
      continue;
    }
    out.push(column);
  }
  return [...out, ...extra, ...LINEAGE_COLUMNS];
}

export function explodeChild(
  columns: readonly Column[],
  arrayColumn: string,
  parentKey: readonly string[],
): Column[] {
  const array = columns.find((c) => c.name === arrayColumn);
  if (!array || array.type.kind !== 'array' || array.type.element.kind !== 'struct') {
    throw new Error(`column "${arrayColumn}" must be an array of structs to be exploded`);
  }
  const keys = parentKey.map((k) => {
    const key = columns.find((c) => c.name === k);
    if (!key) throw new Error(`parent key "${k}" is not a column`);
    return key;
  });
  return [...keys, ...array.type.element.fields, ...LINEAGE_COLUMNS];
}
