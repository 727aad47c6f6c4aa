import { defineDataset } from '@nfe-lake/lake-core';
import { nfeInvoice, shopOrders } from '@nfe-lake/examples';
import { businessDayScan } from '../bytes-read';

describe('tools/bytes-read.ts: the business-day question from a contract', () => {
  it('asks the NF-e invoices and raw_nfe_invoice for the key and two more columns, filtered on the business date', () => {
    expect(businessDayScan(nfeInvoice, '2026-11-26')).toEqual({
      day: '2026-11-26',
      columns: ['invoice_id', 'number', 'series'],
      curated: { table: 'invoices', sql: "SELECT invoice_id, number, series FROM invoices WHERE dt = DATE '2026-11-26'" },
      raw: { table: 'raw_nfe_invoice', sql: "SELECT invoice_id, number, series FROM raw_nfe_invoice WHERE substr(CAST(issued_at AS varchar), 1, 10) = '2026-11-26'" },
    });
  });

  it('works for another dataset: the shop orders', () => {
    const scan = businessDayScan(shopOrders, '2026-11-26');
    expect([scan.curated.table, scan.raw.table, scan.columns[0]]).toEqual(['orders', 'raw_shop_orders', 'order_id']);
    expect(scan.raw.sql).toContain(`substr(CAST(${shopOrders.businessDateField} AS varchar), 1, 10) = '2026-11-26'`);
  });

  it('refuses a dataset with fewer than three scalar columns its curated table keeps', () => {
    const thin = defineDataset({
      name: 'pings',
      version: 1,
      description: 'two scalars and a struct',
      columns: [
        { name: 'id', type: 'string', description: 'ping id', nullable: false },
        { name: 'at', type: 'timestamp', description: 'sent at', nullable: false },
        { name: 'where', type: { kind: 'struct', fields: [{ name: 'city', type: 'string', description: 'city' }] }, description: 'place' },
      ],
      primaryKey: ['id'],
      eventTimeField: 'at',
      businessDateField: 'at',
    });
    expect(() => businessDayScan(thin, '2026-11-26')).toThrow('invalid dataset pings for the bytes-read comparison: got 1 top-level scalar columns kept by table pings (id); it needs 3');
  });

  it('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => businessDayScan(nfeInvoice, '26/11/2026')).toThrow('invalid business day: got "26/11/2026"; use YYYY-MM-DD');
  });
});
