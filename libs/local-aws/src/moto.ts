import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, resolve } from 'node:path';

/** `python -m lake_moto`: moto server with our patches for what moto lacks (python/lake_moto/patches). */
const PATCHED_MOTO_PATH = resolve(__dirname, '..', 'python');
/** Runs a command in the project venv, whose moto is the one pinned in jobs/spark/requirements.lock (and the patches' tests run on). */
const WITH_VENV = resolve(__dirname, '..', '..', '..', 'tools', 'with-venv.sh');

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
  /** Whether the server enforces IAM (`enforceIam`); then `clientConfig` and `env` carry the admin's access key. */
  readonly enforcesIam: boolean;
  /** Clears all state (for a suite that wants a fresh account between cases); refused when IAM is enforced. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** A Python that has `moto[server]` 5.2.1. @default $LAKE_MOTO_PYTHON, else the project venv's (tools/with-venv.sh) */
  readonly python?: string;
  /** @default 30000 */
  readonly startTimeoutMs?: number;
  /**
   * Enforce IAM as AWS would, where moto can: every request after the admin's creation needs a known
   * access key (or STS session; signatures checked for SQS, STS, IAM), and S3, SQS, STS and IAM calls are authorized
   * against the caller's identity policies (S3 also against the bucket policy). Other services only
   * check that the key is known (moto would judge them against resource `*`: lake_moto's
   * iam_authorize_known_resources patch). `clientConfig` and `env` then carry an admin user's key
   * (policy `*` on `*`), for Terraform and harnesses; workloads assume their own roles with it.
   * @default false
   */
  readonly enforceIam?: boolean;
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
function call(url: string, method: 'GET' | 'POST', timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: timeoutMs }, (res) => {
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
      if ((await call(`${endpoint}/moto-api/data.json`, 'GET', 1000)) === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  if (failed()) return;
  throw new LocalAwsError(`moto server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Clears every backend of the moto server at `endpoint`. That takes seconds on a loaded machine, so
 * only the start-up poll uses a short timeout.
 */
export async function resetLocalAws(endpoint: string, timeoutMs = 120_000): Promise<void> {
  const status = await call(`${endpoint}/moto-api/reset`, 'POST', timeoutMs);
  if (status !== 200) throw new LocalAwsError(`moto reset failed: HTTP ${status}`);
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What a moto server that does not enforce IAM accepts (any key does). */
const ANY_CREDENTIALS: AwsCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** The requests moto serves without authentication when IAM is enforced: CreateUser, PutUserPolicy, CreateAccessKey. */
const ADMIN_SETUP_REQUESTS = 3;
export const LOCAL_ADMIN_USER = 'lake-admin';

/**
 * Environment for a process that talks to the moto server at `endpoint`: AWS SDKs and CLIs, and
 * LAKE_LOCAL_ENDPOINT, which the local environment's synth reads.
 */
export function localAwsEnv(endpoint: string, region = 'us-east-1', credentials: AwsCredentials = ANY_CREDENTIALS): Record<string, string> {
  return {
    LAKE_LOCAL_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

/** Creates the admin user and its access key with the requests moto serves before it enforces IAM. */
async function createAdmin(endpoint: string, region: string): Promise<AwsCredentials> {
  const iam = new IAMClient({ endpoint, region, credentials: ANY_CREDENTIALS });
  try {
    await iam.send(new CreateUserCommand({ UserName: LOCAL_ADMIN_USER }));
    const admin = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    await iam.send(new PutUserPolicyCommand({ UserName: LOCAL_ADMIN_USER, PolicyName: 'admin', PolicyDocument: admin }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: LOCAL_ADMIN_USER }))).AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new LocalAwsError('moto returned no access key for the local admin');
    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  } finally {
    iam.destroy();
  }
}

/** Starts moto server on a free loopback port and waits until it answers. */
export async function startLocalAws(options: StartOptions = {}): Promise<LocalAws> {
  const port = options.port ?? (await freePort());
  const region = options.region ?? 'us-east-1';
  const python = options.python ?? process.env.LAKE_MOTO_PYTHON;
  const [command, ...pythonArgs] = python ? [python] : [WITH_VENV, 'python'];
  const endpoint = `http://127.0.0.1:${port}`;
  let log = '';
  const pythonPath = [PATCHED_MOTO_PATH, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const child = spawn(command, [...pythonArgs, '-m', 'lake_moto', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONPATH: pythonPath,
      PYTHONDONTWRITEBYTECODE: '1',
      MOTO_ALLOW_NONEXISTENT_REGION: 'true',
      ...(options.enforceIam ? { INITIAL_NO_AUTH_ACTION_COUNT: String(ADMIN_SETUP_REQUESTS) } : {}),
    },
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
      reject(new LocalAwsError(`cannot start ${command}: ${e.message} (set LAKE_MOTO_PYTHON to a python with moto, installed with "pip install 'moto[server]==5.2.1'")`),
      );
    }),
  );
  let credentials = ANY_CREDENTIALS;
  try {
    await Promise.race([waitUntilUp(endpoint, child, () => log, options.startTimeoutMs ?? 30_000, () => failed), spawnError]);
    if (options.enforceIam) credentials = await createAdmin(endpoint, region);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const enforcesIam = options.enforceIam ?? false;
  return {
    endpoint,
    port,
    region,
    clientConfig: { endpoint, region, forcePathStyle: true, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } },
    env: localAwsEnv(endpoint, region, credentials),
    enforcesIam,
    reset: async () => {
      // a reset deletes the admin user too, and moto serves no second set of free requests
      if (enforcesIam) throw new LocalAwsError('cannot reset a moto server that enforces IAM: it would delete the admin; start a new server instead');
      await resetLocalAws(endpoint);
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
