const { preset } = require('../../jest.preset.cjs');

module.exports = { ...preset, displayName: 'lake-core', rootDir: __dirname };
