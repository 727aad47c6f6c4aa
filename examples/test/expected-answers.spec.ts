import { rawObjectKey } from '@nfe-lake/lake-core';
import { EXPECTED_ANSWERS, instant, Invoice, InvoiceGenerator, latestVersions, nfeInvoice, RawPart, ShopOrder, ShopOrderGenerator, shopOrders } from '..';

const DAY = 86_400_000;
const now = new Date('2026-03-10T12:00:00Z');
const yesterday = '2026-03-09';
const part = (ingestDate: string, p: number, records: unknown[]): RawPart => ({
  key: rawObjectKey({ source: 'nfe-api', dataset: 'nfe_invoice', ingestDate, runId: `run-${ingestDate}`, part: p }),
  records,
});

describe('the NF-e named queries, computed from the raw records (the demo checks Trino against this)', () => {
  const expected = EXPECTED_ANSWERS.nfe_invoice;
  const generator = new InvoiceGenerator({ start: new Date(now.getTime() - 2 * DAY), spacingSeconds: 3_600 });
  const invoices: Invoice[] = Array.from({ length: 48 }, (_, i) => generator.invoice(i));

  it('answers every named query the contract declares, and nothing else', () => {
    const answers = expected([part(yesterday, 0, invoices)], now);
    expect(Object.keys(answers).sort()).toEqual(nfeInvoice.namedQueries.map((q) => q.name).sort());
  });

  it('keeps the newest version of an invoice, drops contract-invalid records and rounds the cancelled share to two decimals', () => {
    const day = invoices.filter((i) => i.issued_at.startsWith(yesterday)).slice(0, 3);
    const authorised = day.map((i) => ({ ...i, status: 'authorized' as const }));
    // a newer version cancels the first; an older one of the second would cancel it, but loses
    const cancelled = { ...authorised[0], status: 'cancelled' as const, updated_at: '2026-03-09T23:00:00.000Z' };
    const stale = { ...authorised[1], status: 'cancelled' as const, updated_at: '2000-01-01T00:00:00.000Z' };
    const invalid = { ...authorised[2], invoice_id: 'not-an-access-key', status: 'cancelled' };
    const answers = expected([part(yesterday, 0, [...authorised, cancelled]), part(yesterday, 1, [stale, invalid])], now);
    expect(answers['cancellation-rate-by-day']).toEqual([[yesterday, 3, 33.33]]);
    expect(answers['raw-records-by-ingest-date']).toEqual([[yesterday, 6, 2]]);
  });
});

describe('the shop_orders named queries, computed from the raw records', () => {
  const expected = EXPECTED_ANSWERS.shop_orders;
  const generator = new ShopOrderGenerator({ start: new Date(now.getTime() - 3 * DAY), spacingSeconds: 1_800 });
  const orders: ShopOrder[] = Array.from({ length: 120 }, (_, i) => generator.order(i));
  const orderPart = (records: unknown[]): RawPart => ({ key: rawObjectKey({ source: 'shop-api', dataset: 'shop_orders', ingestDate: yesterday, runId: 'r1', part: 0 }), records });

  it('answers every named query the contract declares, and nothing else', () => {
    expect(Object.keys(expected([orderPart(orders)], now)).sort()).toEqual(shopOrders.namedQueries.map((q) => q.name).sort());
  });

  it('sums the newest valid version of each order: returned orders leave the sales, payments count per method', () => {
    const day = orders.filter((o) => o.ordered_at.startsWith(yesterday)).slice(0, 2);
    const paid = day.map((o) => ({
      ...o,
      status: 'paid' as const,
      total: 10,
      customer: { ...o.customer, address: { city: 'Porto', state: null, country: 'PT' } },
      payments: [{ method: 'pix' as const, amount: 10, paid_at: o.ordered_at }],
    }));
    const returned = { ...paid[1], status: 'returned' as const, modified_at: '2026-03-09T23:59:00.000Z' };
    const invalid = { ...paid[0], order_id: 'x', total: -1 };
    const answers = expected([orderPart([...paid, returned, invalid])], now);
    expect(answers['sales-by-country-last-7-days']).toEqual([['PT', 1, '10.00']]);
    expect(answers['payment-mix-yesterday']).toEqual([['pix', 2, '20.00']]);
  });
});

describe('the newest version, as the job orders them', () => {
  const generator = new InvoiceGenerator({ start: new Date(now.getTime() - 2 * DAY), spacingSeconds: 3_600 });
  const invoice = { ...generator.invoice(30), issued_at: `${yesterday}T12:00:00Z`, status: 'authorized' as const };

  it('compares event times as instants: an offset makes a version newer than its text says', () => {
    // 22:30 at -03:00 is 01:30Z the next day: newer than 23:00Z although it sorts lower as text
    const cancelled = { ...invoice, status: 'cancelled' as const, updated_at: `${yesterday}T22:30:00-03:00` };
    const authorised = { ...invoice, updated_at: `${yesterday}T23:00:00Z` };
    expect(latestVersions<Invoice>([part(yesterday, 0, [cancelled, authorised])], nfeInvoice).map((i) => i.status)).toEqual(['cancelled']);
    expect(EXPECTED_ANSWERS.nfe_invoice([part(yesterday, 0, [cancelled, authorised])], now)['cancellation-rate-by-day']).toEqual([[yesterday, 1, 100]]);
  });

  it('keeps nanoseconds: of two versions 100 ns apart the later instant wins, whatever the order served', () => {
    const older = { ...invoice, status: 'cancelled' as const, updated_at: `${yesterday}T23:00:00.0000001Z` };
    const newer = { ...invoice, updated_at: `${yesterday}T23:00:00.0000002Z` };
    for (const served of [[older, newer], [newer, older]]) {
      expect(latestVersions<Invoice>([part(yesterday, 0, served)], nfeInvoice).map((i) => i.updated_at)).toEqual([newer.updated_at]);
    }
  });

  it('gives a true tie to the version served later (the job: later ingest wins)', () => {
    const first = { ...invoice, status: 'cancelled' as const, updated_at: `${yesterday}T23:00:00Z` };
    const second = { ...invoice, updated_at: `${yesterday}T20:00:00-03:00` };
    expect(latestVersions<Invoice>([part(yesterday, 0, [first]), part(yesterday, 1, [second])], nfeInvoice).map((i) => i.status)).toEqual(['authorized']);
  });

  it('refuses a timestamp it cannot order, naming it', () => {
    expect(() => instant('yesterday')).toThrow('invalid timestamp: got "yesterday"');
  });
});
