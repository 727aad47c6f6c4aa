// Shared Jest settings. ts-jest transpiles only (type checking is the `typecheck` target),
// and also transpiles `ky`, which ships as ESM only.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
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
    '^@nfe-lake/examples$': '<rootDir>/../../examples/index.ts',
  },
};
