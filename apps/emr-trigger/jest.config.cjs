const { preset, mapPackages } = require('../../jest.preset.cjs');

module.exports = { ...preset, displayName: 'emr-trigger', rootDir: __dirname, moduleNameMapper: mapPackages('lake-core', 'local-aws') };
