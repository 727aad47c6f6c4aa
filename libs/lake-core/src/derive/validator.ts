import { DatasetContract } from '../contract/dataset';
import { Column, ColumnType, isNullable } from '../contract/types';

/** One problem found in a record: where (a JSON path) and what. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export type RecordValidator = (record: unknown) => ValidationResult;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date-time with an explicit zone: what the API contract requires for timestamps.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const MAX_ISSUES = 20;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${String(value)}`;
}

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
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
        if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
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

/** Builds a validator for raw records of a dataset. Unknown fields are allowed (forward compatible). */
export function recordValidator(contract: Pick<DatasetContract, 'columns'>): RecordValidator {
  return (record) => {
    const checker = new Checker();
    checker.columns(contract.columns, record, '');
    return checker.issues.length === 0 ? { ok: true } : { ok: false, issues: checker.issues };
  };
}

/** One-line summary of issues, e.g. for logs and quarantine reasons. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
