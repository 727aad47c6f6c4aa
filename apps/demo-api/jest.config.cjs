module.exports = { ...require('../../jest.preset.cjs'), displayName: 'demo-api', rootDir: __dirname };
