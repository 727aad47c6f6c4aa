/**
 * The fetch-once logic (lock, unpack, slim, atomic rename) with a stand-in `mvn` that produces a
 * small tarball shaped like trino-server's: hard links across plugins, hdfs/ folders, plugins we drop.
 * The real Maven fetch runs in server.spec.ts (through startTrino).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTrino, TRINO_VERSION, trinoHome } from './install';

const top = `trino-server-${TRINO_VERSION}`;

/** An `mvn` that counts its calls and writes a trino-server-shaped tarball to -DoutputDirectory (or fails). */
function fakeMvn(dir: string, { fail = false } = {}): { mvn: string; calls: () => number } {
  const count = join(dir, 'calls');
  const mvn = join(dir, 'mvn');
  writeFileSync(
    mvn,
    `#!/usr/bin/env bash
set -e
echo x >> ${count}
${fail ? 'echo "Could not resolve artifact" >&2; exit 1' : ''}
for a in "$@"; do case "$a" in -DoutputDirectory=*) out="\${a#-DoutputDirectory=}";; esac; done
stage="$(mktemp -d)"; t="$stage/${top}"
mkdir -p "$t/lib" "$t/bin" "$t/plugin/bigquery" "$t/plugin/hive/hdfs" "$t/plugin/delta-lake/hdfs" "$t/plugin/iceberg" "$t/secrets-plugin"
echo server > "$t/lib/trino-main.jar"; echo launcher > "$t/bin/launcher"; echo readme > "$t/README.txt"
echo shared > "$t/plugin/bigquery/shared.jar"; ln "$t/plugin/bigquery/shared.jar" "$t/plugin/hive/shared.jar"
echo hdfs > "$t/plugin/delta-lake/hdfs/hadoop.jar"; ln "$t/plugin/delta-lake/hdfs/hadoop.jar" "$t/plugin/hive/hadoop.jar"
echo hdfs > "$t/plugin/hive/hdfs/h.jar"; echo delta > "$t/plugin/delta-lake/delta.jar"; echo ice > "$t/plugin/iceberg/ice.jar"
# archive order puts link targets in plugins we drop before the links
(cd "$stage" && tar -czf "$out/${top}.tar.gz" ${top}/README.txt ${top}/secrets-plugin ${top}/lib ${top}/bin ${top}/plugin/bigquery ${top}/plugin/delta-lake ${top}/plugin/iceberg ${top}/plugin/hive)
rm -rf "$stage"
`,
  );
  chmodSync(mvn, 0o755);
  return { mvn, calls: () => (existsSync(count) ? readFileSync(count, 'utf8').trim().split('\n').length : 0) };
}

const tree = (dir: string, rel = ''): string[] =>
  readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(dir, join(rel, e.name)) : [join(rel, e.name)])).sort();

describe('ensureTrino', () => {
  it('fetches once, keeps lib/, bin/ and the hive and delta-lake plugins without hdfs/, and renames into place', async () => {
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'trino-cache-')), 'not-created-yet', 'nfe-lake');
    const { mvn, calls } = fakeMvn(mkdtempSync(join(tmpdir(), 'mvn-')));
    const lines: string[] = [];
    const home = await ensureTrino({ cacheDir, mvn, log: (l) => lines.push(l) });
    expect(home).toBe(trinoHome(cacheDir));
    expect(tree(home)).toEqual(['bin/launcher', 'lib/trino-main.jar', 'plugin/delta-lake/delta.jar', 'plugin/hive/hadoop.jar', 'plugin/hive/shared.jar']);
    // hard links whose first name was dropped still hold their content
    expect(readFileSync(join(home, 'plugin/hive/shared.jar'), 'utf8')).toBe('shared\n');
    expect(readdirSync(cacheDir)).toEqual([`trino-${TRINO_VERSION}`]);
    expect(lines[0]).toMatch(/fetching io\.trino:trino-server:476:tar\.gz from Maven Central/);
    await ensureTrino({ cacheDir, mvn });
    expect(calls()).toBe(1);
  });

  it('lets two callers at once fetch only once (the second waits for the lock)', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'trino-cache-'));
    const { mvn, calls } = fakeMvn(mkdtempSync(join(tmpdir(), 'mvn-')));
    const [a, b] = await Promise.all([ensureTrino({ cacheDir, mvn }), ensureTrino({ cacheDir, mvn })]);
    expect(a).toBe(b);
    expect(calls()).toBe(1);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'trino-cache-'));
    mkdirSync(`${trinoHome(cacheDir)}.lock`);
    writeFileSync(join(`${trinoHome(cacheDir)}.lock`, 'pid'), '2147483646');
    const { mvn } = fakeMvn(mkdtempSync(join(tmpdir(), 'mvn-')));
    await expect(ensureTrino({ cacheDir, mvn, lockTimeoutMs: 10_000 })).resolves.toBe(trinoHome(cacheDir));
  });

  it('leaves nothing behind when the fetch fails, and says why', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'trino-cache-'));
    const { mvn } = fakeMvn(mkdtempSync(join(tmpdir(), 'mvn-')), { fail: true });
    await expect(ensureTrino({ cacheDir, mvn })).rejects.toThrow(/mvn -B -q dependency:copy .* exited with 1:\nCould not resolve artifact/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('names Maven as what to install when there is none', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'trino-cache-'));
    await expect(ensureTrino({ cacheDir, mvn: 'no-such-mvn' })).rejects.toThrow(/cannot run no-such-mvn: .*ENOENT; install Maven \(apt-get install maven\)/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
