/**
 * The options of `tools/lake demo`, in one place: demo.ts parses them, and a test checks that
 * `tools/lake demo --help` (plain bash, so it works before any set-up) describes each of them.
 */
import type { ParseArgsConfig } from 'node:util';

export const DEMO_OPTIONS = {
  invoices: { type: 'string', default: '20000' },
  keep: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
