import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderArtefacts } from '../src/cli/export';

describe('exported contract artefacts', () => {
  it('match what is checked in for the Spark job (regenerate with `npx nx run lake-core:export`)', () => {
    const dir = join(__dirname, '../../../jobs/spark/contracts');
    for (const [name, content] of Object.entries(renderArtefacts())) {
      expect({ name, content: readFileSync(join(dir, name), 'utf8') }).toEqual({ name, content });
    }
  });

  it('carry the Spark schema, Glue columns and layout for every table', () => {
    const exported = JSON.parse(renderArtefacts()['nfe_invoice.json']);
    expect(Object.keys(exported.tables)).toEqual(['invoices', 'invoice_items', 'daily_revenue_by_state', 'top_products_daily']);
    expect(exported.tables.invoices.partitionKeys).toEqual([{ name: 'dt', type: 'date', comment: 'Date partition (YYYY-MM-DD in the S3 path).' }]);
    expect(exported.rawSparkSchema.type).toBe('struct');
    expect(exported.layout.rawObject).toContain('ingest_date={ingest_date}');
  });
});
