/**
 * The conformance corpus of one example dataset (`nfe_invoice` or `shop_orders`): NDJSON lines
 * `{line, expect, reason}` built from the contract's columns and a generated valid record, one case per
 * rule at every depth the record has (JSON grammar, pattern anchors, ASCII digits, integers written as
 * floats, calendar-exact dates and timestamps, nesting depth). `expect` is what each case is built to
 * be (ok, rejected, malformed); `reason` is lake-core's recordValidator's answer. The script fails when
 * lake-core disagrees with a case's `expect`; tests/test_validate.py holds the job's validator to the
 * same reasons.
 *   npx tsx jobs/spark/tools/conformance-corpus.ts nfe_invoice
 */
import { Column, ColumnType, DatasetContract, formatIssues, MAX_RECORD_DEPTH, recordValidator } from '@nfe-lake/lake-core';
import { InvoiceGenerator, nfeInvoice, ShopOrderGenerator, shopOrders } from '@nfe-lake/examples';

type Expect = 'ok' | 'rejected' | 'malformed';
interface Case {
  readonly line: string;
  readonly expect: Expect;
}

const SAMPLES: Record<string, { contract: DatasetContract; record: () => unknown }> = {
  nfe_invoice: { contract: nfeInvoice, record: () => new InvoiceGenerator({ seed: 11 }).invoice(3) },
  shop_orders: { contract: shopOrders, record: () => new ShopOrderGenerator({ seed: 11 }).order(3) },
};

const MARK = '\u0000corpus-token';
const ARABIC_DIGITS = (text: string) => text.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));

/** The record with the value at `path` replaced by raw JSON text (so 1.0, 2e0 and NaN survive). */
function withToken(record: unknown, path: readonly (string | number)[], token: string): string {
  const copy = structuredClone(record) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), token);
}

/** Tokens for one value of a column type: [raw JSON text, what the contract makes of it]. */
function tokens(column: Column, type: ColumnType, value: unknown): [string, Expect][] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const str = (s: string) => JSON.stringify(s);
  switch (type.kind) {
    case 'string':
      return column.pattern
        ? [[str(`${text}\n`), 'rejected'], [str(ARABIC_DIGITS(text)), /[0-9]/.test(text) ? 'rejected' : 'ok'], [str(`\n${text}`), 'rejected']]
        : [[str(`${text}\n`), column.enum ? 'rejected' : 'ok']];
    case 'int':
    case 'long':
      return [[`${text}.0`, 'ok'], [`${text}e0`, 'ok'], [`${text}.5`, 'rejected'], [str(text), 'rejected'], ['1e400', 'rejected'], ['NaN', 'malformed']];
    case 'double':
      return [['1e400', 'rejected'], ['-Infinity', 'malformed'], [str(text), 'rejected']];
    case 'decimal':
      return [
        [str(`${text}\n`), 'rejected'],
        [str(ARABIC_DIGITS(text)), 'rejected'],
        [str('NaN'), 'rejected'],
        ['1e400', 'rejected'],
        ['Infinity', 'malformed'],
        ['1e-7', 'rejected'],
        [`${Number(text)}e0`, 'ok'],
      ];
    case 'timestamp':
      return [
        [str(`${text}\n`), 'rejected'],
        [str('2026-02-30T00:00:00Z'), 'rejected'],
        [str('2026-01-01T24:00:00Z'), 'rejected'],
        [str('0000-01-01T00:00:00Z'), 'rejected'],
        [str('1899-12-31T23:59:59.123456789-03:00'), 'ok'],
        [str(ARABIC_DIGITS('2026-01-01T00:00:00Z')), 'rejected'],
      ];
    case 'date':
      return [[str(`${text}\n`), 'rejected'], [str('2026-02-29'), 'rejected'], [str('2024-02-29'), 'ok'], [str('0000-01-01'), 'rejected']];
    default:
      return [];
  }
}

/** Every leaf the record holds, at every depth (struct fields, array elements), with its column. */
function cases(columns: readonly Column[], record: unknown, path: (string | number)[], root: unknown): Case[] {
  const out: Case[] = [];
  const node = record as Record<string, unknown>;
  for (const column of columns) {
    const value = node[column.name];
    if (value === undefined || value === null) continue;
    const visit = (type: ColumnType, v: unknown, at: (string | number)[]) => {
      if (type.kind === 'struct') out.push(...cases(type.fields, v, at, root));
      else if (type.kind === 'array') (v as unknown[]).forEach((element, i) => visit(type.element, element, [...at, i]));
      else for (const [token, expect] of tokens(column, type, v)) out.push({ line: withToken(root, at, token), expect });
    };
    visit(column.type, value, [...path, column.name]);
  }
  return out;
}

function grammar(record: unknown): Case[] {
  const text = JSON.stringify(record);
  const nested = (levels: number) => text.replace(/^\{/, `{"corpus_unknown":${'['.repeat(levels)}${']'.repeat(levels)},`);
  return [
    { line: text, expect: 'ok' },
    { line: `${text.slice(0, -1)},}`, expect: 'malformed' },
    { line: text.replace(/"/g, "'"), expect: 'malformed' },
    { line: `\ufeff${text}`, expect: 'malformed' },
    { line: `${text} // comment`, expect: 'malformed' },
    { line: `${text}x`, expect: 'malformed' },
    { line: '[]', expect: 'rejected' },
    { line: 'null', expect: 'rejected' },
    { line: '"text"', expect: 'rejected' },
    // the record is level 1, the unknown field's arrays add one level each
    { line: nested(MAX_RECORD_DEPTH - 1), expect: 'ok' },
    { line: nested(MAX_RECORD_DEPTH), expect: 'rejected' },
    { line: nested(3000), expect: 'rejected' },
  ];
}

const name = process.argv[2];
const sample = SAMPLES[name];
if (!sample) {
  console.error(`invalid dataset: got ${name}; pass one of ${Object.keys(SAMPLES).join(', ')}`);
  process.exit(2);
}
const validate = recordValidator(sample.contract);
const record = sample.record();
const wrong: string[] = [];
for (const c of [...grammar(record), ...cases(sample.contract.columns, record, [], record)]) {
  let reason: string | undefined;
  let got: Expect;
  try {
    const outcome = validate(JSON.parse(c.line));
    got = outcome.ok ? 'ok' : 'rejected';
    reason = outcome.ok ? undefined : formatIssues(outcome.issues);
  } catch (err) {
    got = 'malformed';
    reason = `$: malformed JSON: ${(err as Error).message}`;
  }
  if (got !== c.expect) wrong.push(`expected ${c.expect}, lake-core says ${got} (${reason}): ${c.line.slice(0, 200)}`);
  console.log(JSON.stringify({ line: c.line, expect: c.expect, reason }));
}
if (wrong.length > 0) {
  console.error(`lake-core disagrees with ${wrong.length} corpus case(s):\n${wrong.join('\n')}`);
  process.exit(1);
}
