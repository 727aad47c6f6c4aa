const { preset, mapPackages } = require('../../jest.preset.cjs');

module.exports = { ...preset, displayName: 'demo-api', rootDir: __dirname, moduleNameMapper: mapPackages('lake-core') };
