import { DatasetContract, DerivedTable } from '../contract/dataset';
import { Column, isNullable } from '../contract/types';
import { hiveType } from './hive';

function rows(columns: readonly Column[], prefix = ''): string[] {
  return columns.flatMap((c) => {
    const constraints = [
      c.enum ? `one of ${c.enum.join(', ')}` : '',
      c.pattern ? `matches \`${c.pattern}\`` : '',
      c.min !== undefined ? `>= ${c.min}` : '',
      c.max !== undefined ? `<= ${c.max}` : '',
    ].filter(Boolean).join('; ');
    // structs (and arrays of structs) are summarised on their line, their fields listed below it
    const nested = c.type.kind === 'struct' ? c.type.fields : c.type.kind === 'array' && c.type.element.kind === 'struct' ? c.type.element.fields : undefined;
    const type = nested ? (c.type.kind === 'array' ? 'array<struct>' : 'struct') : hiveType(c.type);
    const line = `| \`${prefix}${c.name}\` | ${type} | ${isNullable(c) ? 'yes' : 'no'} | ${c.description}${constraints ? ` (${constraints})` : ''} |`;
    return nested ? [line, ...rows(nested, `${prefix}${c.name}${c.type.kind === 'array' ? '[]' : ''}.`)] : [line];
  });
}

const header = ['| column | type | nullable | description |', '|---|---|---|---|'];

function tableDoc(table: DerivedTable): string[] {
  return [
    `### ${table.layer}.${table.name}`,
    '',
    table.description,
    '',
    `Primary key: ${table.primaryKey.map((k) => `\`${k}\``).join(', ')}. Partitioned by \`${table.partitioning.column}\` (from ${typeof table.partitioning.from === 'string' ? table.partitioning.from : `\`${table.partitioning.from.field}\``}).`,
    '',
    ...header,
    ...rows(table.columns),
    '',
  ];
}

/** Markdown documentation of a dataset and its derived tables. */
export function datasetDoc(contract: DatasetContract): string {
  return [
    `# Dataset \`${contract.name}\` (v${contract.version})`,
    '',
    '<!-- generated from libs/lake-core by `nx run lake-core:export`; do not edit -->',
    '',
    contract.description,
    '',
    `Primary key: ${contract.primaryKey.map((k) => `\`${k}\``).join(', ')}. Event time: \`${contract.eventTimeField}\` (latest wins). Business date: \`${contract.businessDateField}\`.`,
    '',
    '## Raw record',
    '',
    ...header,
    ...rows(contract.columns),
    '',
    '## Derived tables',
    '',
    ...[...contract.curated, ...contract.analytics].flatMap(tableDoc),
  ].join('\n');
}
