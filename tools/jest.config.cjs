const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'tools',
  rootDir: __dirname,
  // workloads-iam.moto.spec deploys the lake and runs the workloads from source
  moduleNameMapper: mapPackages('lake-core', 'local-aws', 'infra-modules', 'demo-api', 'examples'),
};
