import { DatasetContract } from '../contract/dataset';
import { Column, ColumnType, isNullable } from '../contract/types';

/** One problem found in a record: where (a JSON path) and what. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export type RecordValidator = (record: unknown) => ValidationResult;

// Patterns without the `u` flag: `\d` is ASCII only and `$` is the end of the text (no newline
// before it); the job's Python port mirrors exactly these semantics.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date-time with an explicit zone: what the API contract requires for timestamps.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const MAX_ISSUES = 20;
/** Deepest nesting of objects and arrays a record may have (the record itself is level 1). */
export const MAX_RECORD_DEPTH = 64;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${String(value)}`;
}

// Calendar arithmetic, not Date: Date.UTC maps years 0-99 to 1900-1999 and Date.parse rolls
// 2026-02-30 over to March 2 and accepts 24:00.
function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days;
}

function validTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m || !validDate(m[1])) return false;
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const zone = m[6] === 'Z' || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  return hour <= 23 && minute <= 59 && second <= 59 && zone;
}

/** Nesting depth of a parsed JSON value (iterative: a hostile record must not overflow the stack). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function decimalFits(value: number | string, precision: number, scale: number): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'number' && !Number.isFinite(value)) return 'is not a finite number';
  if (!DECIMAL_STRING.test(text)) return `is not a decimal number`;
  const [intPart, frac = ''] = text.replace('-', '').split('.');
  if (frac.length > scale) return `has ${frac.length} decimal places, at most ${scale} allowed`;
  const intDigits = intPart.replace(/^0+/, '').length;
  if (intDigits > precision - scale) return `has ${intDigits} integer digits, at most ${precision - scale} allowed`;
  return undefined;
}

class Checker {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message });
  }

  columns(columns: readonly Column[], value: unknown, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path || '$', `expected object, got ${describe(value)}`);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const column of columns) {
      const childPath = path ? `${path}.${column.name}` : column.name;
      const child = record[column.name];
      if (child === undefined || child === null) {
        if (!isNullable(column)) this.add(childPath, child === undefined ? 'required field is missing' : 'required field is null');
        continue;
      }
      this.value(column, column.type, child, childPath);
    }
  }

  value(column: Column, type: ColumnType, value: unknown, path: string): void {
    switch (type.kind) {
      case 'string':
        if (typeof value !== 'string') return this.add(path, `expected string, got ${describe(value)}`);
        if (column.enum && !column.enum.includes(value)) {
          return this.add(path, `${describe(value)} is not one of ${column.enum.join(', ')}`);
        }
        if (column.pattern && !new RegExp(column.pattern).test(value)) {
          return this.add(path, `${describe(value)} does not match ${column.pattern}`);
        }
        return;
      case 'int':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) return this.add(path, `expected integer, got ${describe(value)}`);
        if (type.kind === 'int' && (value < INT32.min || value > INT32.max)) return this.add(path, `${value} is out of int range`);
        if (!Number.isSafeInteger(value)) return this.add(path, `${value} is not a safe integer`);
        return this.range(column, value, path);
      }
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) return this.add(path, `expected number, got ${describe(value)}`);
        return this.range(column, value, path);
      case 'boolean':
        if (typeof value !== 'boolean') this.add(path, `expected boolean, got ${describe(value)}`);
        return;
      case 'date':
        if (typeof value !== 'string' || !validDate(value)) this.add(path, `expected date YYYY-MM-DD, got ${describe(value)}`);
        return;
      case 'timestamp':
        if (typeof value !== 'string' || !validTimestamp(value)) {
          this.add(path, `expected ISO 8601 timestamp with zone, got ${describe(value)}`);
        }
        return;
      case 'decimal': {
        if (typeof value !== 'number' && typeof value !== 'string') {
          return this.add(path, `expected decimal(${type.precision},${type.scale}), got ${describe(value)}`);
        }
        const problem = decimalFits(value, type.precision, type.scale);
        if (problem) return this.add(path, `${describe(value)} ${problem} for decimal(${type.precision},${type.scale})`);
        return this.range(column, Number(value), path);
      }
      case 'array':
        if (!Array.isArray(value)) return this.add(path, `expected array, got ${describe(value)}`);
        value.forEach((element, i) => {
          const elementPath = `${path}[${i}]`;
          if (element === null || element === undefined) return this.add(elementPath, 'array element is null');
          this.value(column, type.element, element, elementPath);
        });
        return;
      case 'struct':
        return this.columns(type.fields, value, path);
    }
  }

  range(column: Column, value: number, path: string): void {
    if (column.min !== undefined && value < column.min) this.add(path, `${value} is below the minimum ${column.min}`);
    else if (column.max !== undefined && value > column.max) this.add(path, `${value} is above the maximum ${column.max}`);
  }
}

/**
 * Builds a validator for raw records of a dataset. Unknown fields are allowed (forward compatible);
 * a record nested deeper than MAX_RECORD_DEPTH levels is rejected whole (no parser downstream has to take it).
 */
export function recordValidator(contract: Pick<DatasetContract, 'columns'>): RecordValidator {
  return (record) => {
    if (depthExceeds(record, MAX_RECORD_DEPTH)) {
      return { ok: false, issues: [{ path: '$', message: `nested deeper than ${MAX_RECORD_DEPTH} levels` }] };
    }
    const checker = new Checker();
    checker.columns(contract.columns, record, '');
    return checker.issues.length === 0 ? { ok: true } : { ok: false, issues: checker.issues };
  };
}

/** One-line summary of issues, e.g. for logs and quarantine reasons. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
