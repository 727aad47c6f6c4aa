/**
 * Writes the derived artefacts of every dataset the lake config declares:
 *   <out>/<dataset>.contract.json  the exported contract (format 2) non-TypeScript consumers read
 *   <out>/<dataset>.md             human docs
 * Usage: tsx libs/lake-core/src/cli/export.ts --config <lake config> --out <dir> [--check]
 * `--check` fails when the files on disk differ from what the contracts derive (CI drift guard).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLakeConfig } from '../config/load';
import { DatasetContract } from '../contract/dataset';
import { datasetDoc } from '../derive/docs';
import { exportContract } from '../derive/export';

export function renderArtefacts(datasets: readonly DatasetContract[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const contract of datasets) {
    files[`${contract.name}.contract.json`] = `${JSON.stringify(exportContract(contract), null, 2)}\n`;
    files[`${contract.name}.md`] = `${datasetDoc(contract)}\n`;
  }
  return files;
}

/** Writes (or with `check`, compares) the files; returns the stale paths. */
export function writeArtefacts(files: Record<string, string>, out: string, check: boolean, log: (line: string) => void = console.log): string[] {
  const stale: string[] = [];
  if (!check) mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(out, name);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(path);
    } else {
      writeFileSync(path, content);
      log(`wrote ${path}`);
    }
  }
  return stale;
}

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, out: { type: 'string' }, check: { type: 'boolean', default: false } } });
  if (!values.config || !values.out) {
    console.error('usage: export.ts --config <lake config> --out <dir> [--check]');
    return 2;
  }
  const stale = writeArtefacts(renderArtefacts(loadLakeConfig(values.config).datasets), values.out, values.check);
  if (stale.length) {
    console.error(`derived contract files are stale: ${stale.join(', ')}\nregenerate them: tsx libs/lake-core/src/cli/export.ts --config ${values.config} --out ${values.out}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
