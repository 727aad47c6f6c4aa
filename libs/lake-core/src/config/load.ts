import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LakeConfig, lakeConfigSchema } from './lake';
import { SourceConfig, sourceSchema } from './source';
import { DATASETS } from '../datasets/nfe-invoice';

/** A config problem: the path, the value found and what would be accepted. */
export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: readonly { path: string; value: unknown; expected: string }[],
  ) {
    super(
      `invalid config in ${origin}:\n` +
        problems.map((p) => `  - ${p.path}: got ${formatValue(p.value)}; ${p.expected}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function toConfigError(origin: string, input: unknown, error: z.ZodError): ConfigError {
  return new ConfigError(
    origin,
    error.issues.map((issue) => ({ path: pathText(issue.path), value: valueAt(input, issue.path), expected: issue.message })),
  );
}

function checkDatasets(origin: string, sources: readonly SourceConfig[], pathPrefix: string): void {
  const problems = sources.flatMap((s, i) =>
    s.dataset in DATASETS
      ? []
      : [{ path: `${pathPrefix}[${i}].dataset`, value: s.dataset, expected: `one of the lake-core datasets: ${Object.keys(DATASETS).join(', ')}` }],
  );
  if (problems.length) throw new ConfigError(origin, problems);
}

/** Parses and validates a lake config object; `origin` names the file in errors. */
export function parseLakeConfig(input: unknown, origin = 'lake config'): LakeConfig {
  const result = lakeConfigSchema.safeParse(input);
  if (!result.success) throw toConfigError(origin, input, result.error);
  checkDatasets(origin, result.data.sources, 'sources');
  return result.data;
}

export function parseSourceConfig(input: unknown, origin = 'source config'): SourceConfig {
  const result = sourceSchema.safeParse(input);
  if (!result.success) throw toConfigError(origin, input, result.error);
  checkDatasets(origin, [result.data], 'source');
  return result.data;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', value: undefined, expected: `a readable file (${(e as Error).message})` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', value: undefined, expected: `valid JSON (${(e as Error).message})` }]);
  }
}

export function loadLakeConfig(file: string): LakeConfig {
  return parseLakeConfig(readJson(file), file);
}

export function loadSourceConfig(file: string): SourceConfig {
  return parseSourceConfig(readJson(file), file);
}
