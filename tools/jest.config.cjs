module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'tools',
  rootDir: __dirname,
  moduleNameMapper: { '^@nfe-lake/local-aws$': '<rootDir>/../libs/local-aws/src/index.ts' },
};
