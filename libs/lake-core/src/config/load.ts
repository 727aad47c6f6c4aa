import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { LakeConfig, lakeConfigSchema } from './lake';
import { SourceConfig, sourceSchema } from './source';
import { DatasetContract } from '../contract/dataset';
import { loadContractFile } from '../contract/load';
import { formatValue, Problem, zodProblems } from '../common/problems';

/** A config problem: the path, the value found and what would be accepted. */
export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: readonly Problem[],
  ) {
    super(`invalid config in ${origin}:\n` + problems.map((p) => `  - ${p.path}: got ${formatValue(p.value)}; ${p.expected}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function toConfigError(origin: string, input: unknown, error: z.ZodError): ConfigError {
  return new ConfigError(origin, zodProblems(input, error));
}

export interface LakeConfigOptions {
  /** Contracts given as objects (TypeScript apps), besides those the config file names. */
  readonly datasets?: readonly DatasetContract[];
  /** Directory the config's contract paths are relative to. @default - the config file's directory; the working directory for `parseLakeConfig` */
  readonly baseDir?: string;
}

/** Parses and validates a lake config object, loading its datasets' contracts; `origin` names the file in errors. */
export function parseLakeConfig(input: unknown, origin = 'lake config', options: LakeConfigOptions = {}): LakeConfig {
  const result = lakeConfigSchema.safeParse(input);
  if (!result.success) throw toConfigError(origin, input, result.error);
  const baseDir = options.baseDir ?? process.cwd();
  const datasets = [...result.data.datasets.map((d) => loadContractFile(resolve(baseDir, d.contract))), ...(options.datasets ?? [])];
  const names = datasets.map((d) => d.name);
  const declared = `a declared dataset (datasets[].contract): ${names.join(', ') || 'none is declared'}`;
  const problems: Problem[] = [];
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ path: i < result.data.datasets.length ? `datasets[${i}].contract` : 'datasets (given in code)', value: name, expected: 'one contract per dataset name' });
  });
  result.data.sources.forEach((s, i) => {
    if (!names.includes(s.dataset)) problems.push({ path: `sources[${i}].dataset`, value: s.dataset, expected: declared });
  });
  names.forEach((name, i) => {
    if (!result.data.sources.some((s) => s.dataset === name)) {
      problems.push({ path: i < result.data.datasets.length ? `datasets[${i}].contract` : 'datasets (given in code)', value: name, expected: `a source feeding dataset "${name}" (sources[].dataset), or drop the dataset` });
    }
  });
  if (problems.length) throw new ConfigError(origin, problems);
  return { ...result.data, datasets };
}

export function parseSourceConfig(input: unknown, origin = 'source config'): SourceConfig {
  const result = sourceSchema.safeParse(input);
  if (!result.success) throw toConfigError(origin, input, result.error);
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

export function loadLakeConfig(file: string, options: LakeConfigOptions = {}): LakeConfig {
  return parseLakeConfig(readJson(file), file, { baseDir: dirname(resolve(file)), ...options });
}

export function loadSourceConfig(file: string): SourceConfig {
  return parseSourceConfig(readJson(file), file);
}
