import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RETRY = join(__dirname, '../retry.sh');

/** Sources tools/retry.sh and retries a command that fails its first `failures` runs (a flaky registry). */
function retryFlaky(failures: number, delays = '0 0') {
  const dir = mkdtempSync(join(tmpdir(), 'retry-'));
  const flaky = join(dir, 'flaky.sh');
  writeFileSync(
    flaky,
    `n=$(cat "${dir}/count" 2>/dev/null || echo 0); echo $((n + 1)) >"${dir}/count"\n` +
      `if [ "$n" -lt ${failures} ]; then echo "npm error ECONNRESET try $((n + 1))"; exit 1; fi; echo installed`,
  );
  const log = join(dir, 'npm-ci.log');
  const run = spawnSync('bash', ['-c', `. "${RETRY}"; retry "${log}" bash "${flaky}"`], {
    encoding: 'utf8',
    env: { ...process.env, LAKE_RETRY_DELAYS: delays },
  });
  return { status: run.status, stderr: run.stderr, log: readFileSync(log, 'utf8'), runs: Number(readFileSync(join(dir, 'count'), 'utf8')) };
}

describe('tools/retry.sh', () => {
  it('runs a command that succeeds once, keeping its output in the log', () => {
    const run = retryFlaky(0);
    expect(run).toMatchObject({ status: 0, runs: 1, stderr: '' });
    expect(run.log).toBe('installed\n');
  });

  it('tries again after a passing registry fault and succeeds', () => {
    const run = retryFlaky(2);
    expect(run.status).toBe(0);
    expect(run.runs).toBe(3);
    expect(run.stderr).toContain('failed (try 2), again in 0s');
    expect(run.log).toMatch(/ECONNRESET try 1[\s\S]*ECONNRESET try 2[\s\S]*installed/);
  });

  it('gives up after the last delay and prints the end of the log, so CI shows why', () => {
    const run = retryFlaky(5);
    expect(run.status).toBe(1);
    expect(run.runs).toBe(3);
    expect(run.stderr).toMatch(/failed 3 time\(s\); the end of \S+npm-ci\.log:/);
    expect(run.stderr).toContain('  | npm error ECONNRESET try 3');
  });

  it('takes its delays from LAKE_RETRY_DELAYS (none: one try)', () => {
    const run = retryFlaky(1, '');
    expect(run).toMatchObject({ status: 1, runs: 1 });
  });
});
