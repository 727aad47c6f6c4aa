/**
 * `tools/lake query "SQL" [--json]`: one statement against the lake a `tools/lake demo --keep` left up,
 * answered by its Trino over the Glue catalog (unqualified names resolve in the lake's database).
 * Prints an aligned table and the bytes read, or with --json `{ columns, rows, stats }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatResult, trinoQuery } from '@nfe-lake/local-aws';

const STATE = join(resolve(__dirname, '..'), '.lake', 'demo', 'lake.json');

async function main() {
  const { values, positionals } = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  if (positionals.length !== 1 || !positionals[0].trim()) throw new Error(`invalid SQL: got ${JSON.stringify(positionals)}; give one statement in quotes, e.g. tools/lake query "SHOW TABLES"`);
  if (!existsSync(STATE)) throw new Error(`no lake is up (${STATE} not found); start one with tools/lake demo --keep and query it from another shell`);
  const lake = JSON.parse(readFileSync(STATE, 'utf8')) as { trino: string; database: string };
  const result = await trinoQuery(lake.trino, positionals[0], { schema: lake.database }).catch((e: Error) => {
    throw e.message.includes('fetch failed') ? new Error(`the lake in ${STATE} does not answer at ${lake.trino} (stopped?); start one with tools/lake demo --keep`) : e;
  });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(formatResult(result));
  console.log(`(${result.rows.length} rows, ${result.stats.elapsedMs} ms, ${result.stats.physicalInputBytes} bytes read)`);
}

main().catch((e) => {
  console.error(`tools/lake query: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
