/**
 * Prints the project's shell environment as export lines (tools/lake env):
 *   eval "$(tsx libs/local-aws/src/print-env.ts .lake/local-aws.json)"
 */
import { shellExports } from './shell-env';

try {
  process.stdout.write(shellExports(process.argv[2] ?? '.lake/local-aws.json'));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
