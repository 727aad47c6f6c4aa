import { loadContractFile } from '@nfe-lake/lake-core';
import { renderArtefacts, writeArtefacts } from '@nfe-lake/lake-core/cli/export';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '../../jobs/spark/tests/fixtures');

describe("the Spark job tests' own contract (a second shape, not the demo's)", () => {
  it('is what lake-core exports from its YAML source (regenerate with `npx nx run spark:fixtures`)', () => {
    const files = renderArtefacts([loadContractFile(join(FIXTURES, 'shop_orders.contract.yaml'))]);
    expect(writeArtefacts(files, FIXTURES, true)).toEqual([]);
  });
});
