import { loadLakeConfig } from '@nfe-lake/lake-core';
import { renderArtefacts, writeArtefacts } from '@nfe-lake/lake-core/cli/export';
import { join } from 'node:path';

describe('exported example contracts (what the Spark tests read)', () => {
  it('match what is committed (regenerate with `npx nx run examples:export`)', () => {
    const files = renderArtefacts(loadLakeConfig(join(__dirname, '../lake.json')).datasets);
    expect(Object.keys(files)).toEqual(['nfe_invoice.contract.json', 'nfe_invoice.md', 'shop_orders.contract.json', 'shop_orders.md']);
    expect(writeArtefacts(files, join(__dirname, '../contracts'), true)).toEqual([]);
  });
});
