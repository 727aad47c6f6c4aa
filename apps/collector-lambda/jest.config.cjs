const { preset, mapPackages } = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'collector-lambda',
  rootDir: __dirname,
  // The demo API is the integration tests' real HTTP source.
  moduleNameMapper: mapPackages('lake-core', 'local-aws', 'demo-api'),
};
