// each test starts moto server (and pytest runs in the venv): generous timeouts for a loaded machine
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'local-aws', rootDir: __dirname, testTimeout: 120_000 };
