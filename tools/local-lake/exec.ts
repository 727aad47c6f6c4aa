import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The workspace root: the collector runner, the venv wrapper and the built artefacts live under it. */
export const ROOT = resolve(__dirname, '../..');

const t0 = Date.now();
export const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
export const secondsSinceStart = () => (Date.now() - t0) / 1000;
/** A numbered step heading: a long local command shows where it is. */
export const step = (n: number, text: string) => console.log(`\n[${elapsed()}] ${n}. ${text}`);

/** Runs a command, streaming its output with a prefix; rejects with its tail on failure. */
export function exec(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; prefix: string; quiet?: boolean }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!options.quiet) for (const line of chunk.toString().split('\n').filter(Boolean)) console.log(`  ${options.prefix} ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited with ${code}:\n${out.slice(-4000)}`))));
  });
}
