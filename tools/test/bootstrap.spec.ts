import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathWithout } from './path-without';

const ROOT = join(__dirname, '../..');

function bootstrap(env: Record<string, string | undefined>, args: string[] = ['--no-venv'], timeout = 120_000) {
  mkdirSync(join(tmpdir(), 'lake-cache'), { recursive: true });
  const result = spawnSync('bash', [join(ROOT, 'tools/bootstrap.sh'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout,
  });
  const line = (item: string) => result.stdout.split('\n').find((l) => l.startsWith(`bootstrap: ${item} `)) ?? '';
  return { status: result.status, stdout: result.stdout, line };
}

describe('tools/bootstrap.sh', () => {
  it('reports every item as found on a complete machine', () => {
    const run = bootstrap({});
    expect(run.stdout).not.toMatch(/missing/);
    for (const item of ['node', 'npm dependencies', 'java', 'jdk >= 22 (trino)', 'python3', 'terraform', 'aws provider 5.100.0']) {
      expect(run.line(item)).toMatch(/ found /);
    }
    expect(run.stdout).toMatch(/bootstrap: ready/);
    expect(run.status).toBe(0);
  });

  it('names a missing terraform with the install remedy and the OpenTofu fallback', () => {
    const run = bootstrap({ PATH: pathWithout(['terraform', 'tofu']), LAKE_CACHE_DIR: join(tmpdir(), 'lake-cache') });
    expect(run.line('terraform')).toMatch(/missing\s+not on PATH; install Terraform >= 1\.5, or: tools\/fallback-toolchain\.sh builds OpenTofu/);
    expect(run.stdout).toMatch(/bootstrap: 1 item\(s\) missing/);
    expect(run.status).toBe(1);
  });

  it('names a missing provider mirror with the searched places', () => {
    const run = bootstrap({ LAKE_TF_MIRROR_SEARCH: '/nonexistent/mirror', LAKE_TF_PROVIDER_MIRROR: undefined });
    expect(run.line('aws provider 5.100.0')).toMatch(/missing\s+no filesystem mirror with hashicorp\/aws 5\.100\.0 found \(searched: \/nonexistent\/mirror\).*Fallback: tools\/fallback-toolchain\.sh/);
    expect(run.status).toBe(1);
  });

  it('names a missing java with the package to install', () => {
    const run = bootstrap({ PATH: pathWithout(['java']) });
    expect(run.line('java')).toMatch(/missing\s+Spark needs Java >= 17: apt-get install openjdk-17-jre-headless/);
    expect(run.status).toBe(1);
  });

  it('names a missing JDK >= 22 for Trino with what was found and what to install', () => {
    const run = bootstrap({ LAKE_JDK_SEARCH: '/nonexistent/jvm', JAVA_HOME: undefined });
    expect(run.line('jdk >= 22 (trino)')).toMatch(/missing\s+Trino 476 needs Java >= 22 \(newest found: \/\S+\); install a JDK 25 .* or set JAVA_HOME to one/);
    expect(run.line('java')).toMatch(/ found /);
    expect(run.status).toBe(1);
  });

  it('sets itself up on a fresh home whose cache directory does not exist yet', () => {
    const home = join(mkdtempSync(join(tmpdir(), 'fresh-')), 'home-not-created');
    const cache = join(home, '.cache');
    // pip's download cache is shared so the fresh venvs install from wheels already fetched (~320 MB of pyspark);
    // everything the bootstrap itself writes goes under the fresh home
    const pipCache = spawnSync('python3', ['-m', 'pip', 'cache', 'dir'], { encoding: 'utf8' }).stdout.trim();
    const run = bootstrap({ HOME: home, XDG_CACHE_HOME: cache, LAKE_CACHE_DIR: undefined, PIP_CACHE_DIR: pipCache || undefined }, [], 900_000);
    expect(run.stdout).not.toMatch(/missing|No such file/);
    for (const item of ['python venv', 'checkov', 'aws provider 5.100.0']) expect(run.line(item)).toContain(join(cache, 'nfe-lake'));
    expect(run.line('moto')).toMatch(/ found\s+5\.2\.1 in the project venv/);
    expect(existsSync(join(cache, 'nfe-lake', 'logs'))).toBe(true);
    expect(run.status).toBe(0);
  }, 1_000_000);

  it('with --no-checkov (the demo\'s set-up) prepares the project venv but installs no checkov', () => {
    // an empty cache holding only this machine's project venv: checkov would have to be installed into it
    const venv = spawnSync(join(ROOT, 'tools/with-venv.sh'), ['python', '-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).stdout.trim();
    const cache = mkdtempSync(join(tmpdir(), 'lake-cache-no-checkov-'));
    mkdirSync(join(cache, 'venvs'));
    symlinkSync(venv, join(cache, 'venvs', basename(venv)));
    const run = bootstrap({ LAKE_CACHE_DIR: cache }, ['--no-checkov'], 300_000);
    expect(run.line('python venv')).toMatch(/ found /);
    expect(run.line('moto')).toMatch(/ found /);
    expect(run.line('checkov')).toBe('');
    expect(existsSync(join(cache, 'venvs', 'checkov'))).toBe(false);
    expect(run.status).toBe(0);
  }, 320_000);

  it('rejects unknown options', () => {
    const run = spawnSync('bash', [join(ROOT, 'tools/bootstrap.sh'), '--bogus'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown option --bogus (accepted: --no-venv, --no-checkov)');
  });
});
