import { parseSourceConfig, SourceConfigInput } from '@nfe-lake/lake-core';
import { InvalidResponse } from '../src/fetch/http-client';
import { linkTarget } from '../src/page/link-header';
import { advance, initialPageState, PageState, pageUrl, PaginationError, parsePage } from '../src/page/pagination';

const source = (pagination: SourceConfigInput['pagination'], extra: Partial<SourceConfigInput> = {}) =>
  parseSourceConfig({ name: 'api', dataset: 'nfe_invoice', baseUrl: 'https://api.example.com/v2/', path: '/invoices', pagination, ...extra });
const headers = (h: Record<string, string> = {}) => new Headers(h);
const url = new URL('https://api.example.com/v2/invoices');

/** One page of `count` records; `kept` (the run's records after it) defaults to everything served. */
function step(p: ReturnType<typeof source>['pagination'], state: PageState, body: unknown, count: number, h = headers(), kept = state.served + count) {
  return advance(p, state, { body, headers: h, url, count, kept });
}

describe('pageUrl', () => {
  it('joins base URL and path, adds fixed query, window and page parameters', () => {
    const s = source(
      { type: 'page_number', pageSize: 25 },
      { query: { status: 'authorized' }, incremental: { cursorField: 'issued_at', initialValue: '2026-01-01T00:00:00Z' } },
    );
    const u = pageUrl(s, { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' }, initialPageState(s.pagination));
    expect(u.origin + u.pathname).toBe('https://api.example.com/v2/invoices');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      status: 'authorized',
      updated_since: '2026-01-01T00:00:00.000Z',
      updated_until: '2026-01-02T00:00:00.000Z',
      page: '1',
      page_size: '25',
    });
  });

  it('sends no cursor on the first cursor page, then the cursor', () => {
    const s = source({ type: 'cursor', nextCursorPath: 'meta.next', sizeParam: 'limit', pageSize: 10 });
    const first = initialPageState(s.pagination);
    expect(pageUrl(s, undefined, first).search).toBe('?limit=10');
    expect(pageUrl(s, undefined, { ...first, token: 'abc' }).searchParams.get('cursor')).toBe('abc');
  });

  it('follows the stored link for link-header pagination', () => {
    const s = source({ type: 'link_header' });
    expect(pageUrl(s, undefined, { ...initialPageState(s.pagination), token: 'https://api.example.com/v2/invoices?page=7' }).href).toBe('https://api.example.com/v2/invoices?page=7');
  });
});

describe('advance: stop conditions', () => {
  it('page number: stops at the reported total, not at a short page the server capped', () => {
    const p = source({ type: 'page_number', pageSize: 100, totalRecordsPath: 'total' }).pagination;
    let state = initialPageState(p);
    ({ state } = step(p, state, { total: 120 }, 50)); // server caps pages at 50
    expect(state).toMatchObject({ next: 2, seq: 1, served: 50, done: false });
    ({ state } = step(p, state, { total: 120 }, 50));
    const last = step(p, state, { total: 120 }, 20);
    expect(last).toMatchObject({ total: { unit: 'records', count: 120 }, state: { done: true } });
  });

  it('page number without a total: a short page ends it', () => {
    const p = source({ type: 'page_number', pageSize: 100 }).pagination;
    expect(step(p, initialPageState(p), {}, 99).state.done).toBe(true);
    expect(step(p, initialPageState(p), {}, 100).state.done).toBe(false);
  });

  it('page number with total pages: stops after that many pages, short ones included', () => {
    const p = source({ type: 'page_number', pageSize: 100, totalPagesPath: 'total_pages' }).pagination;
    let state = initialPageState(p);
    ({ state } = step(p, state, { total_pages: 3 }, 50));
    ({ state } = step(p, state, { total_pages: 3 }, 100));
    expect(state).toMatchObject({ seq: 2, next: 3, done: false });
    const last = step(p, state, { total_pages: 3 }, 100);
    expect(last).toMatchObject({ total: { unit: 'pages', count: 3 }, state: { seq: 3, done: true } });
  });

  it('an empty window may report 0 pages or 0 records and serve one empty page', () => {
    const pages = source({ type: 'page_number', totalPagesPath: 'total_pages' }).pagination;
    expect(step(pages, initialPageState(pages), { total_pages: 0 }, 0).state.done).toBe(true);
    expect(step(pages, initialPageState(pages), { total_pages: 1 }, 0).state.done).toBe(true);
    const records = source({ type: 'offset', totalRecordsPath: 'total' }).pagination;
    expect(step(records, initialPageState(records), { total: 0 }, 0).state.done).toBe(true);
  });

  it('offset: advances by the records returned and stops at the total', () => {
    const p = source({ type: 'offset', limit: 100, totalRecordsPath: 'total' }).pagination;
    const a = step(p, initialPageState(p), { total: 150 }, 100);
    expect(a.state).toMatchObject({ next: 100, done: false });
    expect(step(p, a.state, { total: 150 }, 50).state).toMatchObject({ next: 150, done: true });
  });

  it('cursor: stops when the next cursor is absent, null or empty, and rejects a cursor that does not advance', () => {
    const p = source({ type: 'cursor', nextCursorPath: 'next' }).pagination;
    const a = step(p, initialPageState(p), { next: 'c1' }, 10);
    expect(a.state).toMatchObject({ token: 'c1', done: false });
    for (const body of [{}, { next: null }, { next: '' }]) expect(step(p, a.state, body, 10).state.done).toBe(true);
    expect(() => step(p, a.state, { next: 'c1' }, 10)).toThrow(PaginationError);
    // An empty page with a next cursor goes on (filtering APIs do this).
    expect(step(p, a.state, { next: 'c2' }, 0).state.done).toBe(false);
  });

  it('link header: follows rel=next, stops without it, and refuses to leave the origin or loop', () => {
    const p = source({ type: 'link_header', totalRecordsHeader: 'x-total-count' }).pagination;
    const a = step(p, initialPageState(p), [], 10, headers({ link: '</v2/invoices?page=2>; rel="next", </v2/invoices?page=9>; rel="last"', 'x-total-count': '20' }));
    expect(a).toMatchObject({ total: { unit: 'records', count: 20 }, state: { token: 'https://api.example.com/v2/invoices?page=2', done: false } });
    expect(step(p, a.state, [], 10, headers({ link: '</v2/invoices?page=1>; rel="first"', 'x-total-count': '20' })).state.done).toBe(true);
    expect(() => step(p, a.state, [], 10, headers({ link: '<https://evil.example.net/x>; rel="next"', 'x-total-count': '20' }))).toThrow(/leaves the API origin/);
    expect(() => step(p, a.state, [], 10, headers({ link: '<https://api.example.com/v2/invoices>; rel=next', 'x-total-count': '20' }))).toThrow(/same page/);
  });

  it('none: a single page', () => {
    const p = source({ type: 'none' }).pagination;
    expect(step(p, initialPageState(p), [], 3).state.done).toBe(true);
  });
});

describe('advance: the reported total is held to', () => {
  it('fails when more records are served than a total reports (a total-pages field configured as records)', () => {
    const p = source({ type: 'page_number', pageSize: 250, totalRecordsPath: 'total_pages' }).pagination;
    expect(() => step(p, initialPageState(p), { total: 12_000, total_pages: 48 }, 250)).toThrow(
      new PaginationError(
        'served 250 records, more than the 48 records the API reports at pagination.totalRecordsPath "total_pages"; if that field counts pages, configure it as pagination.totalPagesPath',
      ),
    );
  });

  it('counts records once: duplicates of a shifting API do not exceed the total', () => {
    const p = source({ type: 'offset', limit: 10, totalRecordsPath: 'total' }).pagination;
    const a = step(p, initialPageState(p), { total: 15 }, 10);
    // 10 served again, 5 of them new: 20 served, 15 kept.
    expect(step(p, a.state, { total: 15 }, 10, headers(), 15).state.done).toBe(true);
    expect(() => step(p, a.state, { total: 15 }, 10, headers(), 16)).toThrow(/served 16 records, more than the 15 records .*; point it at a count of records or remove it/);
  });

  it('fails when more pages with records come than a total-pages header reports', () => {
    const p = source({ type: 'link_header', totalPagesHeader: 'x-total-pages' }).pagination;
    const next = headers({ link: '</v2/invoices?page=2>; rel="next"', 'x-total-pages': '1' });
    const a = step(p, initialPageState(p), [], 10, next);
    expect(() => step(p, { ...a.state, token: 'https://api.example.com/v2/invoices?page=2' }, [], 10, next)).toThrow(
      /served 2 pages, more than the 1 pages the API reports at pagination.totalPagesHeader "x-total-pages"; if that field counts records, configure it as pagination.totalRecordsHeader/,
    );
  });

  it('fails when pagination ends before the total (an empty page mid-way, a records total configured as pages)', () => {
    const records = source({ type: 'page_number', pageSize: 100, totalRecordsPath: 'meta.total' }).pagination;
    expect(() => step(records, initialPageState(records), { meta: { total: 500 } }, 0)).toThrow(
      /^pagination ended after 0 of the 500 records the API reports at pagination.totalRecordsPath "meta.total": records are missing/,
    );
    const pages = source({ type: 'page_number', pageSize: 50, totalPagesPath: 'total' }).pagination;
    const a = step(pages, initialPageState(pages), { total: 288 }, 50);
    expect(() => step(pages, a.state, { total: 288 }, 0)).toThrow(/ended after 2 of the 288 pages .*; if that field counts records, configure it as pagination.totalRecordsPath$/);
    const cursor = source({ type: 'cursor', nextCursorPath: 'next', totalRecordsPath: 'total' }).pagination;
    expect(() => step(cursor, initialPageState(cursor), { next: null, total: 11 }, 10)).toThrow(/ended after 10 of the 11 records/);
  });

  it('fails when a configured total is missing from the response or not a count', () => {
    const p = source({ type: 'offset', totalRecordsPath: 'meta.total' }).pagination;
    expect(() => step(p, initialPageState(p), { total: 5 }, 5)).toThrow(
      'pagination.totalRecordsPath "meta.total": the response has no such field, not a count of records; fix the name or remove it',
    );
    expect(() => step(p, initialPageState(p), { meta: { total: 'many' } }, 5)).toThrow(/the response has "many", not a count/);
    const h = source({ type: 'link_header', totalRecordsHeader: 'x-total-count' }).pagination;
    expect(() => step(h, initialPageState(h), [], 5, headers({ 'x-total-count': '-1' }))).toThrow(/x-total-count": the response has "-1"/);
  });
});

describe('linkTarget (RFC 8288)', () => {
  const base = new URL('https://h.example/a/b?x=1');
  it('handles unquoted and multi-valued rel, relative targets and commas inside URLs', () => {
    expect(linkTarget('<c?p=1,2>; rel=next', 'next', base)?.href).toBe('https://h.example/a/c?p=1,2');
    expect(linkTarget('<https://h.example/z>; title="x"; rel="prev next"', 'next', base)?.href).toBe('https://h.example/z');
    expect(linkTarget('<https://h.example/z>; rel="prev"', 'next', base)).toBeUndefined();
    expect(linkTarget(null, 'next', base)).toBeUndefined();
  });
});

describe('parsePage', () => {
  it('selects the records array', () => {
    expect(parsePage('{"data":{"items":[1,2]}}', 'data.items').records).toEqual([1, 2]);
    expect(parsePage('[{"a":1}]', '$').records).toEqual([{ a: 1 }]);
  });

  it('rejects bad JSON and a missing or non-array selection as retryable InvalidResponse', () => {
    expect(() => parsePage('{"data":[1,', 'data')).toThrow(InvalidResponse);
    expect(() => parsePage('{"items":[]}', 'data')).toThrow(/no array at "data" \(found nothing\)/);
    expect(() => parsePage('{"data":{}}', 'data')).toThrow(/found object/);
  });
});
