import { ConfigError, LakeConfig, parseLakeConfig } from '@nfe-lake/lake-core';
import { readFileSync } from 'node:fs';
import { InfraConfigError } from '../common/validate';

/** Where the `local` environment's moto server listens: it gets a port per run, so it is not in the config file. */
export const LOCAL_ENDPOINT_VARIABLE = 'LAKE_LOCAL_ENDPOINT';

function localEndpoint(file: string, env: NodeJS.ProcessEnv, fromFile: unknown): string | undefined {
  const value = env[LOCAL_ENDPOINT_VARIABLE];
  if (value === undefined || value === '') {
    if (fromFile !== undefined) return undefined;
    throw new InfraConfigError(
      `invalid ${LOCAL_ENDPOINT_VARIABLE}: got nothing; the local environment (${file}) sends every AWS call to moto server: ` +
        `start one (npx nx run local-aws:start) and export ${LOCAL_ENDPOINT_VARIABLE}=<its URL> (tools/lake env prints it)`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new InfraConfigError(`invalid ${LOCAL_ENDPOINT_VARIABLE}: got ${JSON.stringify(value)}; use the moto server's base URL, e.g. http://127.0.0.1:4566`);
  }
  return url.origin;
}

/**
 * Reads a lake config file for synth. For the `local` environment the moto endpoint comes from
 * LAKE_LOCAL_ENDPOINT (over a `localEndpoint` in the file); other environments ignore the variable,
 * so an exported one never sends a real environment to moto.
 */
export function loadEnvironmentConfig(file: string, env: NodeJS.ProcessEnv = process.env): LakeConfig {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', value: undefined, expected: `a readable JSON file (${(e as Error).message})` }]);
  }
  if (input.environment !== 'local') return parseLakeConfig(input, file);
  const endpoint = localEndpoint(file, env, input.localEndpoint);
  return parseLakeConfig(endpoint ? { ...input, localEndpoint: endpoint } : input, file);
}
