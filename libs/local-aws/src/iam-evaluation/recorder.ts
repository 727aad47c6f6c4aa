import { Client } from '@smithy/core/client';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * One AWS call a workload made, as its SDK client sent it: the client and command (`S3Client`,
 * `PutObjectCommand`), the command's input and the plain fields of its output (e.g. the KMS key S3
 * encrypted an object with), the access key that signed it, and the error name when AWS refused it.
 */
export interface RecordedCall {
  readonly client: string;
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly output?: Record<string, string | number | boolean>;
  readonly error?: string;
  readonly accessKeyId: string;
}

type Stack = { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
type AnyClient = { middlewareStack: Stack; config: { credentials?: () => Promise<{ accessKeyId: string }> } };

const RECORDER = 'lakeCallRecorder';
/** Bodies and streams say nothing about authorization; they are recorded as a placeholder. */
const isBody = (key: string, v: unknown) => key === 'Body' || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype);
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? {}, (k, v) => (isBody(k, v) ? '[body]' : v)));
const scalars = (output: Record<string, unknown>): Record<string, string | number | boolean> =>
  Object.fromEntries(Object.entries(output).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) as Record<string, string | number | boolean>;

type Next = (a: { input: object }) => Promise<{ output: Record<string, unknown> }>;

/** An `initialize` middleware: sees the command's input before serialization and its output after deserialization. */
function recorderMiddleware(client: AnyClient, listeners: ((call: RecordedCall) => void)[]) {
  const key = async () => (await client.config.credentials?.())?.accessKeyId ?? '';
  return (next: Next, context: { clientName: string; commandName: string }) => async (a: { input: object }) => {
    const base = { client: context.clientName, command: context.commandName, input: plain(a.input) as Record<string, unknown> };
    try {
      const result = await next(a);
      const call = { ...base, output: scalars(result.output ?? {}), accessKeyId: await key() };
      listeners.forEach((l) => l(call));
      return result;
    } catch (e) {
      const call = { ...base, error: (e as Error).name, accessKeyId: await key().catch(() => '') };
      listeners.forEach((l) => l(call));
      throw e;
    }
  };
}

let installed: ((call: RecordedCall) => void)[] | undefined;

/**
 * Records every call any AWS SDK v3 client of this process sends from now on, by adding a middleware
 * to each client on its first `send` (every generated client extends `@smithy/core`'s `Client`).
 * Returns a function that stops delivering calls to `onCall`.
 */
export function installCallRecorder(onCall: (call: RecordedCall) => void): () => void {
  if (!installed) {
    const listeners: ((call: RecordedCall) => void)[] = [];
    installed = listeners;
    const withRecorder = new WeakSet<object>();
    const send = Client.prototype.send;
    Client.prototype.send = function (this: AnyClient, ...args: unknown[]) {
      if (!withRecorder.has(this)) {
        withRecorder.add(this);
        const middleware = recorderMiddleware(this, listeners);
        this.middlewareStack.add(middleware, { step: 'initialize', name: RECORDER });
      }
      return (send as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof send;
  }
  const listeners = installed;
  listeners.push(onCall);
  return () => {
    const i = listeners.indexOf(onCall);
    if (i >= 0) listeners.splice(i, 1);
  };
}

/** Records this process's calls as JSON lines appended to `file` (what `record-calls.ts` does in a workload's process). */
export function recordCallsTo(file: string): () => void {
  return installCallRecorder((call) => appendFileSync(file, JSON.stringify(call) + '\n'));
}

/** The calls a process recorded to `file`; none when it made none (the file is created on the first call). */
export function readCallLog(file: string): RecordedCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      try {
        return JSON.parse(line) as RecordedCall;
      } catch {
        throw new Error(`invalid call log line ${i + 1} of ${file}: got ${line.slice(0, 80)}; the recorder writes one JSON call per line`);
      }
    });
}
