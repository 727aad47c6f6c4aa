const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = { ...preset, displayName: 'examples', rootDir: __dirname, moduleNameMapper: mapPackages('lake-core') };
