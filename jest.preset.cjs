// Shared Jest settings. ts-jest transpiles only (type checking is the `typecheck` target),
// and also transpiles `ky`, which ships as ESM only.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Tests and hooks start processes (moto, terraform, the demo API, node children) on a shared 2-core
  // machine that is often loaded 10x over: minutes, not jest's 5 s. Suites known to be longer set more.
  testTimeout: 180_000,
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: require('node:path').join(__dirname, 'tsconfig.spec.json'),
        diagnostics: false,
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(ky)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|test).ts'],
  moduleNameMapper: {
    '^@nfe-lake/lake-core$': '<rootDir>/../../libs/lake-core/src/index.ts',
    '^@nfe-lake/lake-core/(.*)$': '<rootDir>/../../libs/lake-core/src/$1',
    '^@nfe-lake/local-aws$': '<rootDir>/../../libs/local-aws/src/index.ts',
  },
};
