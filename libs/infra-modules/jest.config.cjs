module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'infra-modules',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // terraform init/validate/apply run for real; the moto apply is the long one
  testTimeout: 300_000,
};
