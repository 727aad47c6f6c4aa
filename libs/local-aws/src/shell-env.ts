import { existsSync, readFileSync } from 'node:fs';
import { LocalAwsError, localAwsEnv } from './moto';
import { ensureTerraformCliConfig } from './terraform';

/** What `npx nx run local-aws:start` (cli.ts --state-file) records about the server it runs. */
export interface LocalAwsState {
  readonly endpoint: string;
  readonly pid: number;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The local AWS recorded in `stateFile`, if its process still runs. */
export function runningLocalAws(stateFile: string): LocalAwsState | undefined {
  if (!existsSync(stateFile)) return undefined;
  const text = readFileSync(stateFile, 'utf8');
  let state: Partial<LocalAwsState> | undefined;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (typeof state?.endpoint !== 'string' || !Number.isInteger(state.pid)) {
    throw new LocalAwsError(`invalid ${stateFile}: got ${JSON.stringify(text.slice(0, 80))}; delete it and start local AWS again (npx nx run local-aws:start)`);
  }
  return isRunning(state.pid!) ? (state as LocalAwsState) : undefined;
}

/**
 * Every variable a shell needs to run terraform and cdktf on this project: the offline provider
 * mirror's CLI config, no HashiCorp checkpoint calls, and, when a local AWS runs, its endpoint
 * (LAKE_LOCAL_ENDPOINT, AWS_ENDPOINT_URL) and the credentials moto accepts.
 */
export function shellEnv(stateFile: string): Record<string, string> {
  const running = runningLocalAws(stateFile);
  return { TF_CLI_CONFIG_FILE: ensureTerraformCliConfig(), CHECKPOINT_DISABLE: '1', ...(running ? localAwsEnv(running.endpoint) : {}) };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** `shellEnv` as `export` lines for `eval`, with a note when no local AWS runs. */
export function shellExports(stateFile: string): string {
  const lines = Object.entries(shellEnv(stateFile)).map(([name, value]) => `export ${name}=${quote(value)}`);
  if (!runningLocalAws(stateFile)) {
    lines.push(`# no local AWS recorded in ${stateFile}: start one (npx nx run local-aws:start) for LAKE_LOCAL_ENDPOINT and the moto credentials`);
  }
  return `${lines.join('\n')}\n`;
}
