module.exports = { ...require('../../jest.preset.cjs'), displayName: 'local-aws', rootDir: __dirname };
