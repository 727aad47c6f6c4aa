/**
 * Writes the published JSON Schema of dataset contract files (generated from `datasetContractSchema`).
 * Usage: tsx libs/lake-core/src/cli/schema.ts [--check]
 */
import { join } from 'node:path';
import { datasetContractJsonSchema } from '../contract/schema';
import { writeArtefacts } from './export';

export const SCHEMA_DIR = join(__dirname, '../../schema');
export const SCHEMA_FILE = 'dataset-contract.schema.json';

export function renderSchema(): Record<string, string> {
  return { [SCHEMA_FILE]: `${JSON.stringify(datasetContractJsonSchema(), null, 2)}\n` };
}

if (require.main === module) {
  const stale = writeArtefacts(renderSchema(), SCHEMA_DIR, process.argv.includes('--check'));
  if (stale.length) {
    console.error(`the JSON Schema is stale: ${stale.join(', ')}\nregenerate it: npx nx run lake-core:schema`);
    process.exit(1);
  }
}
