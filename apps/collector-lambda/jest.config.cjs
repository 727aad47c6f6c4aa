const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'collector-lambda',
  rootDir: __dirname,
  // The demo API is the integration tests' real HTTP source.
  moduleNameMapper: { ...preset.moduleNameMapper, '^@nfe-lake/demo-api$': '<rootDir>/../demo-api/src/index.ts' },
};
