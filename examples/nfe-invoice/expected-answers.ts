/**
 * The answers this example's named queries (contract.ts) must give, computed in plain TypeScript from
 * the raw records the API served (as the collector stored them). It follows the job's rules:
 * contract-invalid records are quarantined, the newest version of an invoice wins, `dt` is the UTC
 * issue date, analytics count authorised invoices only.
 */
import { parseRawObjectKey } from '@nfe-lake/lake-core';
import { daysBefore, ExpectedAnswers, fixedSum as fixed, latestVersions } from '../answers';
import nfeInvoice from './contract';
import { Invoice } from './generator';

export const expectedNfeAnswers: ExpectedAnswers = (parts, now) => {
  const daysAgo = daysBefore(now);
  const invoices = latestVersions<Invoice>(parts, nfeInvoice);
  const dt = (i: Invoice) => new Date(i.issued_at).toISOString().slice(0, 10);
  const lastDays = (n: number) => invoices.filter((i) => dt(i) >= daysAgo(n));
  const authorised = (i: Invoice) => i.status === 'authorized';
  const group = <T>(xs: T[], key: (x: T) => string): [string, T[]][] => {
    const groups = new Map<string, T[]>();
    for (const x of xs) {
      const members = groups.get(key(x));
      if (members) members.push(x);
      else groups.set(key(x), [x]);
    }
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  };

  const cancellation = group(lastDays(30), dt).map(([day, xs]) => [day, xs.length, Math.round((xs.filter((i) => i.status === 'cancelled').length * 10_000) / xs.length) / 100]);

  const byState = group(lastDays(30), (i) => i.issuer.state)
    .map(([state, xs]) => {
      const sold = xs.filter(authorised);
      return [state, sold.length, fixed(sold.map((i) => i.total_amount), 2), fixed(sold.map((i) => i.total_tax ?? 0), 2)];
    })
    .sort((a, b) => Number(b[2]) - Number(a[2]) || String(a[0]).localeCompare(String(b[0])));

  const yesterday = invoices.filter((i) => authorised(i) && dt(i) === daysAgo(1));
  const items = yesterday.flatMap((i) => i.items.map((item) => ({ ...item, invoice_id: i.invoice_id })));
  const top = group(items, (x) => x.product_code)
    .map(([code, xs]) => {
      const descriptions = group(xs, (x) => x.description).sort(([a, as], [b, bs]) => bs.length - as.length || a.localeCompare(b));
      return [code, descriptions[0][0], fixed(xs.map((x) => x.quantity), 4), fixed(xs.map((x) => x.total_price), 2), new Set(xs.map((x) => x.invoice_id)).size];
    })
    .sort((a, b) => Number(b[3]) - Number(a[3]) || String(a[0]).localeCompare(String(b[0])))
    .slice(0, 10);

  const raw = group([...parts], (p) => parseRawObjectKey(p.key).ingestDate)
    .filter(([day]) => day >= daysAgo(7))
    .map(([day, ps]) => [day, ps.reduce((s, p) => s + p.records.length, 0), ps.length]);

  return { 'cancellation-rate-by-day': cancellation, 'raw-records-by-ingest-date': raw, 'revenue-by-state-last-30-days': byState, 'top-10-products-yesterday': top };
};
