const { preset } = require('../../jest.preset.cjs');

module.exports = { ...preset, displayName: 'local-aws', rootDir: __dirname };
