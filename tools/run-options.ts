/**
 * The options of `tools/lake run`, in one place: run-lake.ts parses them, and a test checks that
 * `tools/lake run --help` (plain bash, so it works before any set-up) describes each of them.
 */
import type { ParseArgsConfig } from 'node:util';

export const RUN_OPTIONS = {
  config: { type: 'string' },
  secrets: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
