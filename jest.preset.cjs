// Shared Jest settings. ts-jest transpiles only (type checking is the `typecheck` target),
// and also transpiles `ky`, which ships as ESM only.
const { join } = require('node:path');

/** @type {import('jest').Config} */
const preset = {
  testEnvironment: 'node',
  // Tests and hooks start processes (moto, terraform, the demo API, node children) on a shared 2-core
  // machine that is often loaded 10x over: minutes, not jest's 5 s. Suites known to be longer set more.
  testTimeout: 180_000,
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: join(__dirname, 'tsconfig.spec.json'),
        diagnostics: false,
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(ky)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|test).ts'],
};

/** The TypeScript entry of each workspace package tests may import (no build step in between). */
const PACKAGE_ENTRIES = {
  'lake-core': 'libs/lake-core/src/index.ts',
  'local-aws': 'libs/local-aws/src/index.ts',
  'infra-modules': 'libs/infra-modules/src/index.ts',
  'demo-api': 'apps/demo-api/src/index.ts',
  examples: 'examples/index.ts',
};

/**
 * `moduleNameMapper` for the workspace packages a project's tests import, and only those: Nx's jest
 * plugin makes every mapped file an input of the project's `test`, so a needless mapping makes the
 * project affected by, and re-tested on, changes to a package it does not use.
 */
function mapPackages(...names) {
  return Object.fromEntries(names.map((name) => [`^@nfe-lake/${name}$`, join(__dirname, PACKAGE_ENTRIES[name])]));
}

module.exports = { preset, mapPackages };
