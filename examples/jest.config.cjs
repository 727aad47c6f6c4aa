const { join } = require('node:path');
const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'examples',
  rootDir: __dirname,
  // the export CLI is not part of lake-core's package entry; its test imports it by subpath
  moduleNameMapper: { ...mapPackages('lake-core'), '^@nfe-lake/lake-core/(.*)$': join(__dirname, '../libs/lake-core/src/$1') },
};
