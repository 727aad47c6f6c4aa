import { rawObjectKey } from '@nfe-lake/lake-core';
import { EXPECTED_ANSWERS, Invoice, InvoiceGenerator, nfeInvoice, RawPart } from '..';

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
