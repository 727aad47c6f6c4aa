module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'examples',
  rootDir: __dirname,
  moduleNameMapper: {
    '^@nfe-lake/lake-core$': '<rootDir>/../libs/lake-core/src/index.ts',
    '^@nfe-lake/lake-core/(.*)$': '<rootDir>/../libs/lake-core/src/$1',
  },
};
