module.exports = { ...require('../../jest.preset.cjs'), displayName: 'lake-core', rootDir: __dirname };
