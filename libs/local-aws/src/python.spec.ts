import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(__dirname, '../../..');

/** The moto patches' own tests and lint (pytest, ruff) in the project venv. */
describe('lake_moto (python)', () => {
  const inVenv = (script: string) => run('tools/with-venv.sh', ['sh', '-c', `cd libs/local-aws/python && ${script}`], { cwd: root });

  it('passes its pytest suite', async () => {
    const { stdout } = await inVenv('python -m pytest -q');
    expect(stdout).toMatch(/\d+ passed/);
    expect(stdout).not.toMatch(/failed|error/);
  }, 600_000);

  it('passes ruff check and format', async () => {
    await expect(inVenv('ruff check . && ruff format --check .')).resolves.toBeDefined();
  }, 600_000);
});
