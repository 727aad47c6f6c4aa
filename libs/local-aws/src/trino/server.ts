import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LocalAwsError } from '../moto';
import { TrinoAwsTarget, trinoCatalogs } from './catalogs';
import { QueryOptions, TrinoQueryError, TrinoResult, trinoQuery } from './client';
import { findTrinoJdk } from './jdk';
import { ensureTrino, InstallOptions } from './install';

/** A running single-node Trino (coordinator and worker) over the lake's Glue catalog and S3. */
export interface LocalTrino {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Runs one statement; unqualified names resolve in `options.schema` of the `hive` catalog. */
  query(sql: string, options?: QueryOptions): Promise<TrinoResult>;
  stop(): Promise<void>;
}

export interface StartTrinoOptions extends InstallOptions {
  /** The local AWS whose Glue and S3 Trino reads (a LocalAws fits). */
  readonly aws: { readonly endpoint: string; readonly region: string; readonly clientConfig: { readonly credentials: TrinoAwsTarget['credentials'] } };
  /** @default - a free loopback port */
  readonly port?: number;
  /** JVM max heap. @default '1G' */
  readonly heap?: string;
  /** Until `SELECT 1` answers. @default 300000 (the machine is shared and often loaded) */
  readonly startTimeoutMs?: number;
}

/** Errors Trino answers while it starts. */
const STARTING = ['SERVER_STARTING_UP', 'NO_NODES_AVAILABLE'];

const properties = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';

/** Fetches Trino once (see ensureTrino), starts it on a loopback port and waits until `SELECT 1` answers. */
export async function startTrino(options: StartTrinoOptions): Promise<LocalTrino> {
  const jdk = findTrinoJdk();
  const home = await ensureTrino(options);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), 'lake-trino-'));
  mkdirSync(join(work, 'etc', 'catalog'), { recursive: true });
  writeFileSync(
    join(work, 'etc', 'config.properties'),
    properties({
      coordinator: 'true',
      'node-scheduler.include-coordinator': 'true',
      'http-server.http.port': String(port),
      'discovery.uri': endpoint,
      'http-server.log.enabled': 'false',
      // the lake's questions are small: keep the engine's own memory pools inside the small heap
      'query.max-memory': '512MB',
      'query.max-memory-per-node': '512MB',
    }),
  );
  writeFileSync(join(work, 'etc', 'log.properties'), ['io.trino', 'io.airlift', 'Bootstrap', 'org.eclipse.jetty'].map((l) => `${l}=WARN\n`).join(''));
  const aws = options.aws;
  for (const [name, props] of Object.entries(trinoCatalogs({ endpoint: aws.endpoint, region: aws.region, credentials: aws.clientConfig.credentials }))) {
    writeFileSync(join(work, 'etc', 'catalog', `${name}.properties`), properties(props));
  }
  const jvm = [
    `-Xmx${options.heap ?? '1G'}`,
    // one short-lived node on 2 shared cores: a simple collector and the C1 compiler start fastest
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:+EnableDynamicAgentLoading',
    '--enable-native-access=ALL-UNNAMED',
    '-Djdk.attach.allowAttachSelf=true',
    '-Dfile.encoding=UTF-8',
    // Athena runs in UTC: current_date and date arithmetic must not follow the laptop's zone
    '-Duser.timezone=UTC',
    '-Dnode.environment=lake',
    `-Dnode.data-dir=${join(work, 'data')}`,
    '-Dnode.internal-address=127.0.0.1',
    '-Dnode.bind-ip=127.0.0.1',
    `-Dconfig=${join(work, 'etc', 'config.properties')}`,
    `-Dlog.levels-file=${join(work, 'etc', 'log.properties')}`,
    `-Dcatalog.config-dir=${join(work, 'etc', 'catalog')}`,
    `-Dplugin.dir=${join(home, 'plugin')}`,
  ];
  let log = '';
  const child: ChildProcess = spawn(jdk.java, [...jvm, '-cp', `${join(home, 'lib')}/*`, 'io.trino.server.TrinoServer'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null = null;
  child.on('exit', (code) => (exitCode = code ?? -1));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));

  const stop = async () => {
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(work, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new LocalAwsError(`cannot start Trino with ${jdk.java}: ${spawnError.message}`);
    }
    if (exitCode !== null) {
      await stop();
      throw new LocalAwsError(`Trino exited with code ${exitCode} before answering:\n${log}`);
    }
    try {
      await trinoQuery(endpoint, 'SELECT 1', { unscheduledRetryMs: 0 });
      break;
    } catch (e) {
      // not listening yet, still initialising, or no worker registered yet: all pass with time
      const starting = !(e instanceof TrinoQueryError) || STARTING.includes(e.errorName) || e.errorName.startsWith('HTTP_');
      if (!starting || Date.now() > deadline) {
        await stop();
        const what = starting ? `did not answer SELECT 1 within ${timeoutMs} ms` : 'failed SELECT 1';
        throw new LocalAwsError(`Trino on ${endpoint} ${what}: ${(e as Error).message}\n${log}`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    query: (sql, queryOptions) => trinoQuery(endpoint, sql, queryOptions),
    stop,
  };
}
