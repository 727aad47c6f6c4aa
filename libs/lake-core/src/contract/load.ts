import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { zodProblems } from '../common/problems';
import { EXPORT_FORMAT } from '../derive/export';
import { ContractError, ContractSpec, DatasetContract, defineDataset, toColumn } from './dataset';
import { columnSchema } from './schema';

const DATA_EXTENSIONS = ['.json', '.yaml', '.yml'];
const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.cjs', '.mjs'];

const fileProblem = (file: string, expected: string) => new ContractError(file, [{ path: '(file)', value: undefined, expected }]);

/**
 * Loads a dataset contract file: JSON or YAML (the input shape, see the published JSON Schema),
 * or a module whose default export is `defineDataset(...)`. A `.ts` module needs a TypeScript
 * runtime (tsx, ts-jest); plain node loads JSON/YAML and `.js`.
 */
export function loadContractFile(path: string): DatasetContract {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  if (CODE_EXTENSIONS.includes(ext)) return loadModule(file);
  if (!DATA_EXTENSIONS.includes(ext)) {
    throw fileProblem(file, `a contract file ending in ${[...DATA_EXTENSIONS, ...CODE_EXTENSIONS].join(', ')}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fileProblem(file, `a readable file (${(e as Error).message})`);
  }
  let input: unknown;
  try {
    input = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw fileProblem(file, `valid ${ext === '.json' ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`);
  }
  return defineDataset(input as ContractSpec, file);
}

function loadModule(file: string): DatasetContract {
  let loaded: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file);
  } catch (e) {
    const hint = file.endsWith('ts') ? '; a .ts contract loads under a TypeScript runtime (tsx, ts-jest) only: use JSON/YAML or pass the contract object' : '';
    throw fileProblem(file, `a loadable module (${(e as Error).message.split('\n')[0]})${hint}`);
  }
  const value = loaded.default ?? loaded;
  if (isResolved(value)) return value;
  throw fileProblem(file, 'a module whose default export is defineDataset({...})');
}

function isResolved(value: unknown): value is DatasetContract {
  const v = value as Partial<DatasetContract> | undefined;
  return typeof v?.name === 'string' && Array.isArray(v.columns) && Array.isArray(v.curated) && Array.isArray(v.analytics);
}

/** What a record-level consumer (the collector) needs of a contract: validate records, key them. */
export type RecordContract = Pick<DatasetContract, 'name' | 'columns' | 'primaryKey'>;

const exportedRecordSchema = z.looseObject({
  format: z.literal(EXPORT_FORMAT, `format ${EXPORT_FORMAT}: re-export the contract with this lake-core version`),
  name: z.string().min(1),
  primaryKey: z.array(z.string()).min(1),
  columns: z.array(columnSchema).min(1),
});

/** Reads the record part of an exported contract (`<dataset>.contract.json`, format 2); `origin` names it in errors. */
export function parseExportedContract(text: string, origin: string): RecordContract {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw fileProblem(origin, `valid JSON (${(e as Error).message})`);
  }
  const parsed = exportedRecordSchema.safeParse(input);
  if (!parsed.success) throw new ContractError(origin, zodProblems(input, parsed.error));
  return { name: parsed.data.name, primaryKey: parsed.data.primaryKey, columns: parsed.data.columns.map(toColumn) };
}
