/**
 * Writes the derived artefacts of every dataset the lake config declares:
 *   <out>/<dataset>.contract.json  the exported contract (format 2) non-TypeScript consumers read
 *   <out>/<dataset>.md             human docs
 * Usage: tsx libs/lake-core/src/cli/export.ts (--config <lake config> | --contract <file>...) --out <dir> [--check]
 * `--contract` (repeatable) exports contract files without a lake config (a test fixture, a contract under review).
 * `--check` fails when the files on disk differ from what the contracts derive (CI drift guard).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLakeConfig } from '../config/load';
import { DatasetContract } from '../contract/dataset';
import { loadContractFile } from '../contract/load';
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

export function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, contract: { type: 'string', multiple: true }, out: { type: 'string' }, check: { type: 'boolean', default: false } },
  });
  const contracts = values.contract ?? [];
  if (!values.out || (values.config === undefined) === (contracts.length === 0)) {
    console.error('usage: export.ts (--config <lake config> | --contract <file> [--contract <file>...]) --out <dir> [--check]');
    return 2;
  }
  const datasets = values.config ? loadLakeConfig(values.config).datasets : contracts.map((file) => loadContractFile(file));
  const stale = writeArtefacts(renderArtefacts(datasets), values.out, values.check);
  if (stale.length) {
    const from = values.config ? `--config ${values.config}` : contracts.map((file) => `--contract ${file}`).join(' ');
    console.error(`derived contract files are stale: ${stale.join(', ')}\nregenerate them: tsx libs/lake-core/src/cli/export.ts ${from} --out ${values.out}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
