/**
 * Writes the derived artefacts of every dataset contract:
 *   <out>/<dataset>.json  machine-readable contract (Spark schema, Glue columns, layout)
 *   <out>/<dataset>.md    human docs
 * Usage: tsx libs/lake-core/src/cli/export.ts [--out jobs/spark/contracts] [--check]
 * `--check` fails when the files on disk differ from what the contracts derive (CI drift guard).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS } from '../datasets/nfe-invoice';
import { datasetDoc } from '../derive/docs';
import { exportContract } from '../derive/export';

export function renderArtefacts(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const contract of Object.values(DATASETS)) {
    files[`${contract.name}.json`] = `${JSON.stringify(exportContract(contract), null, 2)}\n`;
    files[`${contract.name}.md`] = `${datasetDoc(contract)}\n`;
  }
  return files;
}

function main(argv: string[]): number {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : 'jobs/spark/contracts';
  const check = argv.includes('--check');
  const files = renderArtefacts();
  const stale: string[] = [];
  if (!check) mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(out, name);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(path);
    } else {
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale.length) {
    console.error(`derived contract files are stale: ${stale.join(', ')}\nregenerate with: npx nx run lake-core:export`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
