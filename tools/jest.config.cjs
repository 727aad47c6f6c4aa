const { join } = require('node:path');
const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'tools',
  rootDir: __dirname,
  // the tools' specs deploy the lake and run the workloads, the demo steps and the examples from source
  // plus lake-core's export CLI by subpath (not in its package entry), as the examples' tests import it
  moduleNameMapper: {
    ...mapPackages('lake-core', 'local-aws', 'infra-modules', 'demo-api', 'examples'),
    '^@nfe-lake/lake-core/(.*)$': join(__dirname, '../libs/lake-core/src/$1'),
  },
};
