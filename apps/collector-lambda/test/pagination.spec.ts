import { parseSourceConfig, SourceConfigInput } from '@nfe-lake/lake-core';
import { InvalidResponse } from '../src/fetch/http-client';
import { linkTarget } from '../src/page/link-header';
import { advance, initialPageState, PageState, pageUrl, PaginationError, parsePage } from '../src/page/pagination';

const source = (pagination: SourceConfigInput['pagination'], extra: Partial<SourceConfigInput> = {}) =>
  parseSourceConfig({ name: 'api', dataset: 'nfe_invoice', baseUrl: 'https://api.example.com/v2/', path: '/invoices', pagination, ...extra });
const headers = (h: Record<string, string> = {}) => new Headers(h);
const url = new URL('https://api.example.com/v2/invoices');

function step(p: ReturnType<typeof source>['pagination'], state: PageState, body: unknown, count: number, h = headers()) {
  return advance(p, state, { body, headers: h, url, count });
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
    const p = source({ type: 'page_number', pageSize: 100, totalPath: 'total' }).pagination;
    let state = initialPageState(p);
    ({ state } = step(p, state, { total: 120 }, 50)); // server caps pages at 50
    expect(state).toMatchObject({ next: 2, seq: 1, served: 50, done: false });
    ({ state } = step(p, state, { total: 120 }, 50));
    const last = step(p, state, { total: 120 }, 20);
    expect(last.state.done).toBe(true);
    expect(last.endedEarly).toBe(false);
  });

  it('page number without a total: a short page ends it; an empty page ends it early when a total says more exist', () => {
    const p = source({ type: 'page_number', pageSize: 100 }).pagination;
    expect(step(p, initialPageState(p), {}, 99).state.done).toBe(true);
    expect(step(p, initialPageState(p), {}, 100).state.done).toBe(false);
    const withTotal = source({ type: 'page_number', pageSize: 100, totalPath: 'meta.total' }).pagination;
    const early = step(withTotal, initialPageState(withTotal), { meta: { total: 500 } }, 0);
    expect(early).toMatchObject({ total: 500, endedEarly: true, state: { done: true } });
  });

  it('offset: advances by the records returned and stops at the total', () => {
    const p = source({ type: 'offset', limit: 100, totalPath: 'total' }).pagination;
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
    const p = source({ type: 'link_header', totalHeader: 'x-total-count' }).pagination;
    const a = step(p, initialPageState(p), [], 10, headers({ link: '</v2/invoices?page=2>; rel="next", </v2/invoices?page=9>; rel="last"', 'x-total-count': '95' }));
    expect(a).toMatchObject({ total: 95, state: { token: 'https://api.example.com/v2/invoices?page=2', done: false } });
    expect(step(p, a.state, [], 10, headers({ link: '</v2/invoices?page=1>; rel="first"' })).state.done).toBe(true);
    expect(() => step(p, a.state, [], 10, headers({ link: '<https://evil.example.net/x>; rel="next"' }))).toThrow(/leaves the API origin/);
    expect(() => step(p, a.state, [], 10, headers({ link: '<https://api.example.com/v2/invoices>; rel=next' }))).toThrow(/same page/);
  });

  it('none: a single page', () => {
    const p = source({ type: 'none' }).pagination;
    expect(step(p, initialPageState(p), [], 3).state.done).toBe(true);
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
