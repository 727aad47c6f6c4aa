/**
 * Runs moto server in the foreground for local use:
 *   tsx libs/local-aws/src/cli.ts [--port 4566] [--state-file .lake/local-aws.json]
 * Prints the endpoint and env exports; Ctrl-C stops it.
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startLocalAws } from './moto';

async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = arg('--port') ? Number(arg('--port')) : undefined;
  const stateFile = arg('--state-file');
  const aws = await startLocalAws({ port });
  if (stateFile) {
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify({ endpoint: aws.endpoint, pid: process.pid }, null, 2));
  }
  console.log(`local AWS (moto) at ${aws.endpoint}`);
  for (const [k, v] of Object.entries(aws.env)) console.log(`export ${k}=${v}`);
  const stop = async () => {
    await aws.stop();
    if (stateFile) rmSync(stateFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
