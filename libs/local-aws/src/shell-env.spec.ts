import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellEnv, shellExports } from './shell-env';

const dir = mkdtempSync(join(tmpdir(), 'local-aws-env-'));
function stateFile(name: string, pid: number): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ endpoint: 'http://127.0.0.1:4566', pid }));
  return file;
}
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('shellEnv', () => {
  it('always: the offline Terraform CLI config and no HashiCorp checkpoint', () => {
    const env = shellEnv(join(dir, 'none.json'));
    expect(env).toEqual({ TF_CLI_CONFIG_FILE: expect.stringMatching(/terraformrc$/), CHECKPOINT_DISABLE: '1' });
  });

  it('with a running local AWS: its endpoint for synth (LAKE_LOCAL_ENDPOINT), SDKs and CLIs, and the moto credentials', () => {
    expect(shellEnv(stateFile('running.json', process.pid))).toMatchObject({
      LAKE_LOCAL_ENDPOINT: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
  });

  it('rejects a state file it cannot read, naming it and the fix', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"endpoint": 42');
    expect(() => shellEnv(file)).toThrow(`invalid ${file}: got "{\\"endpoint\\": 42"; delete it and start local AWS again (npx nx run local-aws:start)`);
  });

  it('ignores a state file left by a server that has stopped', () => {
    expect(shellEnv(stateFile('stale.json', deadPid())).LAKE_LOCAL_ENDPOINT).toBeUndefined();
  });
});

describe('shellExports', () => {
  const evaluated = (exports: string, name: string) => execFileSync('bash', ['-c', `eval "$(cat)"; printf %s "$${name}"`], { input: exports, encoding: 'utf8' });

  it('prints export lines a shell can eval', () => {
    const exports = shellExports(stateFile('running.json', process.pid));
    expect(evaluated(exports, 'LAKE_LOCAL_ENDPOINT')).toBe('http://127.0.0.1:4566');
    expect(evaluated(exports, 'CHECKPOINT_DISABLE')).toBe('1');
    expect(exports).not.toContain('# no local AWS');
  });

  it('says how to get a local AWS when none runs', () => {
    const file = join(dir, 'none.json');
    const exports = shellExports(file);
    expect(exports).toContain(`# no local AWS recorded in ${file}: start one (npx nx run local-aws:start) for LAKE_LOCAL_ENDPOINT and the moto credentials`);
    expect(evaluated(exports, 'TF_CLI_CONFIG_FILE')).toMatch(/terraformrc$/);
  });
});
