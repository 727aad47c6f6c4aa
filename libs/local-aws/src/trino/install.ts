import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAwsError } from '../moto';
import { lakeCacheDir } from '../terraform';

/** The newest Trino whose server tarball Maven Central serves. */
export const TRINO_VERSION = '476';
const ARTIFACT = `io.trino:trino-server:${TRINO_VERSION}:tar.gz`;
/** The connectors the lake needs of the 821 MB tarball's ~50 (kept without their HDFS support). */
const PLUGINS = ['hive', 'delta-lake'];

export interface InstallOptions {
  /** @default - the project cache: `${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/nfe-lake}` */
  readonly cacheDir?: string;
  /** Maven executable. @default 'mvn' */
  readonly mvn?: string;
  /** Progress lines (a fetch takes minutes). @default - none */
  readonly log?: (line: string) => void;
  /** How long to wait for another process fetching the same version. @default 30 minutes */
  readonly lockTimeoutMs?: number;
}

/** Directory of the slimmed Trino server in the cache (exists once fetched). */
export function trinoHome(cacheDir = lakeCacheDir()): string {
  return join(cacheDir, `trino-${TRINO_VERSION}`);
}

function run(cmd: string, args: string[], cwd: string, remedy: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new LocalAwsError(`cannot run ${cmd}: ${e.message}; ${remedy}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new LocalAwsError(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Holds `<home>.lock` (a directory: mkdir is atomic) while `body` runs, so two test files never fetch
 * at once. A lock whose owner process is gone is taken over.
 */
async function withLock<T>(home: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  const lock = `${home}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(owner) && !alive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LocalAwsError(`timed out after ${timeoutMs} ms waiting for ${lock} (held by pid ${owner}); remove it if no fetch is running`);
      await sleep(1000);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Removes all but the server and the lake's plugins from an unpacked tarball (a removed name's hard links stay valid). */
function slim(top: string): void {
  const removeAllBut = (dir: string, keep: readonly string[]) => {
    for (const name of readdirSync(dir)) if (!keep.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
  };
  removeAllBut(top, ['lib', 'bin', 'plugin']);
  removeAllBut(join(top, 'plugin'), PLUGINS);
  for (const plugin of PLUGINS) rmSync(join(top, 'plugin', plugin, 'hdfs'), { recursive: true, force: true });
}

/**
 * The Trino server, fetched once from Maven Central with Maven, slimmed and cached; returns its home.
 * The unpacked tree is renamed into place only when complete, so a crash never leaves half a server.
 */
export async function ensureTrino(options: InstallOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? lakeCacheDir();
  const home = trinoHome(cacheDir);
  if (existsSync(home)) return home;
  mkdirSync(cacheDir, { recursive: true });
  return withLock(home, options.lockTimeoutMs ?? 30 * 60_000, async () => {
    if (existsSync(home)) return home; // fetched by whoever held the lock
    const tmp = mkdtempSync(`${home}.tmp-`);
    try {
      const log = options.log ?? (() => undefined);
      log(`fetching ${ARTIFACT} from Maven Central (821 MB, once) into ${cacheDir}`);
      // a throwaway local repository: the tarball is not kept twice (~/.m2 would hold it forever)
      await run(options.mvn ?? 'mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${tmp}`, `-Dmaven.repo.local=${join(tmp, 'm2')}`], tmp, 'install Maven (apt-get install maven): it fetches Trino from Maven Central');
      const tarball = join(tmp, `trino-server-${TRINO_VERSION}.tar.gz`);
      if (!existsSync(tarball)) throw new LocalAwsError(`maven did not produce ${tarball} (got: ${readdirSync(tmp).join(', ')})`);
      log(`unpacking; keeping lib/, bin/ and plugin/{${PLUGINS.join(',')}} without hdfs/`);
      // whole: members are hard links to files in other plugins, so a partial extract breaks links
      await run('tar', ['-xzf', tarball], tmp, 'install GNU tar');
      const top = join(tmp, `trino-server-${TRINO_VERSION}`);
      slim(top);
      renameSync(top, home);
      return home;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
