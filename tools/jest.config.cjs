const { preset, mapPackages } = require('../jest.preset.cjs');

module.exports = { ...preset, displayName: 'tools', rootDir: __dirname, moduleNameMapper: mapPackages('lake-core', 'examples') };
