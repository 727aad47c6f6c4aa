import { Invoice, InvoiceGenerator } from '@nfe-lake/lake-core';
import { faultsAt } from './faults';
import { DemoApi, startDemoApi } from './server';

let api: DemoApi;
afterEach(() => api?.close());

const get = (path: string, init?: RequestInit) => fetch(`${api.url}${path}`, init);
/** The JSON body of a data route (fields depend on the route). */
interface Body {
  data: Invoice[];
  total: number;
  next_cursor: string | null;
  [field: string]: unknown;
}
const json = async (path: string) => (await (await get(path)).json()) as Body;

describe('demo API pagination styles', () => {
  beforeEach(async () => {
    api = await startDemoApi({ count: 250, trackServed: true });
  });

  it('page number: pages of page_size with totals', async () => {
    const body = await json('/page/invoices?page=3&page_size=100');
    expect(body).toMatchObject({ page: 3, page_size: 100, total: 250, total_pages: 3 });
    expect(body.data).toHaveLength(50);
    expect(body.data[0]).toEqual(new InvoiceGenerator().invoice(200));
  });

  it('offset: slices from offset with the total', async () => {
    const body = await json('/offset/invoices?offset=240&limit=100');
    expect(body.data.map((r) => r.number)).toEqual([241, 242, 243, 244, 245, 246, 247, 248, 249, 250]);
    expect(body.total).toBe(250);
  });

  it('cursor: walks the dataset by opaque cursor until next_cursor is null', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const body = await json(`/cursor/invoices?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.data.map((r) => r.number));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(api.served.size).toBe(250);
  });

  it('link header: a bare array with rel="next" links, X-Total-Count and X-Total-Pages', async () => {
    const first = await get('/link/invoices?per_page=100');
    expect(first.headers.get('x-total-count')).toBe('250');
    expect(first.headers.get('x-total-pages')).toBe('3');
    expect(first.headers.get('link')).toContain('</link/invoices?per_page=100&page=2>; rel="next"');
    expect(await first.json()).toHaveLength(100);
    const last = await get('/link/invoices?per_page=100&page=3');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('all: the whole window in one response', async () => {
    expect((await json('/all/invoices')).data).toHaveLength(250);
  });

  it('filters on issued_at with a half-open window', async () => {
    // Invoices are 30 s apart from 2026-01-01T00:00:00Z: [00:01:00, 00:03:00) holds indices 2..5.
    const body = await json('/offset/invoices?issued_since=2026-01-01T00:01:00Z&issued_until=2026-01-01T00:03:00Z');
    expect(body.total).toBe(4);
    expect(body.data.map((r) => r.issued_at)).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:01:30.000Z',
      '2026-01-01T00:02:00.000Z',
      '2026-01-01T00:02:30.000Z',
    ]);
  });

  it('answers bad parameters with 400 and unknown routes with 404', async () => {
    expect((await get('/page/invoices?page=0')).status).toBe(400);
    expect((await get('/offset/invoices?issued_since=yesterday')).status).toBe(400);
    expect((await get('/cursor/invoices?cursor=bogus')).status).toBe(400);
    expect((await get('/invoices')).status).toBe(404);
  });
});

describe('demo API key', () => {
  it('requires the key in a header, the query or a bearer token', async () => {
    api = await startDemoApi({ count: 10, apiKey: 's3cret' });
    expect((await get('/all/invoices')).status).toBe(401);
    expect((await get('/all/invoices', { headers: { 'x-api-key': 's3cret' } })).status).toBe(200);
    expect((await get('/all/invoices?api_key=s3cret')).status).toBe(200);
    expect((await get('/all/invoices', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await get('/all/invoices', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });
});

describe('demo API faults', () => {
  it('injects statuses with Retry-After, truncation, missing records, resets and delays by request number', async () => {
    api = await startDemoApi({
      count: 10,
      trackServed: true,
      faults: faultsAt({
        1: { kind: 'status', status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' },
        2: { kind: 'truncate' },
        3: { kind: 'no-records' },
        4: { kind: 'reset' },
        5: { kind: 'delay', ms: 200 },
      }),
    });
    const limited = await get('/all/invoices');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, 'Wed, 21 Oct 2026 07:28:00 GMT']);
    await expect((await get('/all/invoices')).json()).rejects.toThrow(/JSON/);
    expect(await json('/all/invoices')).toEqual({ message: 'maintenance' });
    await expect(get('/all/invoices')).rejects.toThrow();
    expect(api.served.size).toBe(0);
    const started = Date.now();
    expect((await json('/all/invoices')).data).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(api.requests).toBe(5);
    expect(api.served.size).toBe(10);
  });

  it('empty pages and a contract-breaking invoice', async () => {
    api = await startDemoApi({ count: 20, faults: faultsAt({ 1: { kind: 'empty' }, 2: { kind: 'invalid-record' } }) });
    expect(await json('/offset/invoices?limit=10')).toMatchObject({ data: [], total: 20 });
    const body = await json('/offset/invoices?limit=10');
    expect(body.data.map((r) => r.status)[0]).toBe('lost');
  });

  it('shift: inserted invoices push offset pages, so the next page repeats records', async () => {
    api = await startDemoApi({ count: 20, faults: faultsAt({ 2: { kind: 'shift', insert: 3 } }) });
    const first = await json('/offset/invoices?offset=0&limit=10');
    const second = await json('/offset/invoices?offset=10&limit=10');
    expect(second.total).toBe(23);
    const ids = [...first.data, ...second.data].map((r) => r.invoice_id);
    expect(new Set(ids).size).toBe(17); // records 7..9 came twice
  });
});
