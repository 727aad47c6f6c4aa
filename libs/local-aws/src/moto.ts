import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, resolve } from 'node:path';

/** `python -m lake_moto`: moto server with our patches for what moto lacks (python/lake_moto/patches). */
const PATCHED_MOTO_PATH = resolve(__dirname, '..', 'python');

/** A running moto server: our local AWS, over real HTTP on a loopback port. */
export interface LocalAws {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** Client settings for any AWS SDK v3 client. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Environment variables for child processes (Terraform, Spark, the collector runner). */
  readonly env: Record<string, string>;
  /** Clears all state (for a suite that wants a fresh account between cases). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** A Python that has `moto[server]` 5.2.1. @default $LAKE_MOTO_PYTHON or 'python3' on PATH */
  readonly python?: string;
  /** @default 30000 */
  readonly startTimeoutMs?: number;
}

export class LocalAwsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalAwsError';
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP call without keep-alive, so no pooled socket outlives the caller. */
function call(url: string, method: 'GET' | 'POST'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilUp(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
  failed: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !failed()) {
    if (child.exitCode !== null) {
      throw new LocalAwsError(`moto server exited with code ${child.exitCode} before answering:\n${output()}`);
    }
    try {
      if ((await call(`${endpoint}/moto-api/data.json`, 'GET')) === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  if (failed()) return;
  throw new LocalAwsError(`moto server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

/**
 * Environment for a process that talks to the moto server at `endpoint`: AWS SDKs and CLIs, and
 * LAKE_LOCAL_ENDPOINT, which the local environment's synth reads.
 */
export function localAwsEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return { LAKE_LOCAL_ENDPOINT: endpoint, AWS_ENDPOINT_URL: endpoint, ...CREDENTIALS, AWS_REGION: region, AWS_DEFAULT_REGION: region };
}

/** Starts moto server on a free loopback port and waits until it answers. */
export async function startLocalAws(options: StartOptions = {}): Promise<LocalAws> {
  const port = options.port ?? (await freePort());
  const region = options.region ?? 'us-east-1';
  const python = options.python ?? process.env.LAKE_MOTO_PYTHON ?? 'python3';
  const endpoint = `http://127.0.0.1:${port}`;
  let log = '';
  const pythonPath = [PATCHED_MOTO_PATH, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const child = spawn(python, ['-m', 'lake_moto', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1', MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let failed = false;
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => {
      failed = true;
      reject(new LocalAwsError(`cannot start ${python}: ${e.message} (set LAKE_MOTO_PYTHON to a python with moto, installed with "pip install 'moto[server]==5.2.1'")`),
      );
    }),
  );
  try {
    await Promise.race([waitUntilUp(endpoint, child, () => log, options.startTimeoutMs ?? 30_000, () => failed), spawnError]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const credentials = { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY };
  return {
    endpoint,
    port,
    region,
    clientConfig: { endpoint, region, forcePathStyle: true, credentials },
    env: localAwsEnv(endpoint, region),
    async reset() {
      const status = await call(`${endpoint}/moto-api/reset`, 'POST');
      if (status !== 200) throw new LocalAwsError(`moto reset failed: HTTP ${status}`);
    },
    async stop() {
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    },
  };
}
