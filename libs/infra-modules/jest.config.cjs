const { preset, mapPackages } = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'infra-modules',
  rootDir: __dirname,
  moduleNameMapper: mapPackages('lake-core', 'local-aws'),
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // terraform init/validate/apply run for real; the moto apply is the long one
  testTimeout: 300_000,
};
