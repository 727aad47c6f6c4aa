import { ConfigError } from '@nfe-lake/lake-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InfraConfigError, LOCAL_ENDPOINT_VARIABLE, loadEnvironmentConfig } from '../src';

const config = (name: 'local' | 'dev') => resolve(__dirname, '../config', `lake.${name}.json`);

describe('loadEnvironmentConfig', () => {
  it('takes the local environment\'s moto endpoint from LAKE_LOCAL_ENDPOINT (the file holds none)', () => {
    expect(loadEnvironmentConfig(config('local'), { [LOCAL_ENDPOINT_VARIABLE]: 'http://127.0.0.1:4566' }).localEndpoint).toBe('http://127.0.0.1:4566');
    expect(loadEnvironmentConfig(config('local'), { [LOCAL_ENDPOINT_VARIABLE]: 'http://localhost:4566/' }).localEndpoint).toBe('http://localhost:4566');
  });

  it('fails, naming the variable and how to set it, when it is unset or empty', () => {
    for (const env of [{}, { [LOCAL_ENDPOINT_VARIABLE]: '' }]) {
      expect(() => loadEnvironmentConfig(config('local'), env)).toThrow(InfraConfigError);
      expect(() => loadEnvironmentConfig(config('local'), env)).toThrow(
        /^invalid LAKE_LOCAL_ENDPOINT: got nothing; the local environment \(.*lake\.local\.json\) sends every AWS call to moto server: start one \(npx nx run local-aws:start\) and export LAKE_LOCAL_ENDPOINT=<its URL> \(tools\/lake env prints it\)$/,
      );
    }
  });

  it.each(['127.0.0.1:4566', 'ftp://127.0.0.1:4566', 'http://127.0.0.1:4566/moto', 'not a url'])('rejects %j with the value and the fix', (value) => {
    expect(() => loadEnvironmentConfig(config('local'), { [LOCAL_ENDPOINT_VARIABLE]: value })).toThrow(
      `invalid LAKE_LOCAL_ENDPOINT: got ${JSON.stringify(value)}; use the moto server's base URL, e.g. http://127.0.0.1:4566`,
    );
  });

  it('never sends another environment to moto, whatever the variable says', () => {
    expect(loadEnvironmentConfig(config('dev'), { [LOCAL_ENDPOINT_VARIABLE]: 'http://127.0.0.1:4566' }).localEndpoint).toBeUndefined();
  });

  it('keeps a localEndpoint written in a local config file when the variable is unset, and the variable wins over it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'infra-config-')), 'lake.local.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(config('local'), 'utf8')), localEndpoint: 'http://127.0.0.1:5999' }));
    expect(loadEnvironmentConfig(file, {}).localEndpoint).toBe('http://127.0.0.1:5999');
    expect(loadEnvironmentConfig(file, { [LOCAL_ENDPOINT_VARIABLE]: 'http://127.0.0.1:4566' }).localEndpoint).toBe('http://127.0.0.1:4566');
  });

  it('reports an unreadable file or bad JSON as a config error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-config-'));
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadEnvironmentConfig(join(dir, 'broken.json'), {})).toThrow(ConfigError);
    expect(() => loadEnvironmentConfig(join(dir, 'broken.json'), {})).toThrow(/invalid config in .*broken\.json:\n {2}- \(file\): got nothing; a readable JSON file/);
    expect(() => loadEnvironmentConfig(join(dir, 'missing.json'), {})).toThrow(/missing\.json:\n {2}- \(file\): got nothing; a readable JSON file \(ENOENT/);
  });
});
