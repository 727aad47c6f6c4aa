module.exports = { ...require('../../jest.preset.cjs'), displayName: 'emr-trigger', rootDir: __dirname };
