const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'tools',
  rootDir: __dirname,
  // the tools' specs deploy the lake and run the workloads, the demo steps and the examples from source
  moduleNameMapper: mapPackages('lake-core', 'local-aws', 'infra-modules', 'demo-api', 'examples'),
};
