const { preset, mapPackages } = require('../../jest.preset.cjs');

// the example contracts some tests load (`.ts` modules) import `@nfe-lake/lake-core`: its sources, not a build
module.exports = { ...preset, displayName: 'lake-core', rootDir: __dirname, moduleNameMapper: mapPackages('lake-core') };
