import { z } from 'zod';
import { PaginationConfig, ReportedTotal, SourceConfig } from '@nfe-lake/lake-core';
import { InvalidResponse } from '../fetch/http-client';
import { selectPath } from './json-path';
import { linkTarget } from './link-header';

/** Where pagination stands: persisted in the checkpoint, so it is plain JSON. */
export const pageStateSchema = z
  .object({
    /** Pages fetched so far in the run: the next page's 0-based sequence number. */
    seq: z.number().int().nonnegative(),
    /** page_number: the next page number; offset: the next offset. */
    next: z.number().int().nonnegative(),
    /** cursor: the next cursor; link_header: the next URL; null before the first page. */
    token: z.string().nullable(),
    /** Records the API served so far (before de-duplication). */
    served: z.number().int().nonnegative(),
    done: z.boolean(),
  })
  .strict();
export type PageState = z.infer<typeof pageStateSchema>;

/** The incremental window of a run, as the API's query parameters carry it. */
export interface Window {
  readonly start: string;
  readonly end: string;
}

/** Pagination cannot go on (a cursor or link that does not advance, a link to another origin). */
export class PaginationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaginationError';
  }
}

export function initialPageState(pagination: PaginationConfig): PageState {
  return { seq: 0, next: pagination.type === 'page_number' ? pagination.firstPage : 0, token: null, served: 0, done: false };
}

/** The URL of the next page (without credentials: those are added per request). */
export function pageUrl(source: SourceConfig, window: Window | undefined, state: PageState): URL {
  const p = source.pagination;
  if (p.type === 'link_header' && state.token !== null) return new URL(state.token);
  const url = new URL(source.baseUrl.replace(/\/+$/, '') + source.path);
  for (const [k, v] of Object.entries(source.query)) url.searchParams.set(k, v);
  if (source.incremental && window) {
    url.searchParams.set(source.incremental.startParam, window.start);
    url.searchParams.set(source.incremental.endParam, window.end);
  }
  const set = (name: string, value: string | number) => url.searchParams.set(name, String(value));
  if (p.type === 'page_number') {
    set(p.pageParam, state.next);
    set(p.sizeParam, p.pageSize);
  } else if (p.type === 'offset') {
    set(p.offsetParam, state.next);
    set(p.limitParam, p.limit);
  } else if (p.type === 'cursor') {
    if (state.token !== null) set(p.cursorParam, state.token);
    if (p.sizeParam && p.pageSize) set(p.sizeParam, p.pageSize);
  }
  return url;
}

export interface ParsedPage {
  readonly body: unknown;
  readonly records: readonly unknown[];
}

/** Parses a response body and selects its records; unusable bodies throw `InvalidResponse` (retried). */
export function parsePage(text: string, recordSelector: string): ParsedPage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new InvalidResponse(`response is not valid JSON (${(e as Error).message}; ${text.length} chars)`);
  }
  const records = selectPath(body, recordSelector);
  if (!Array.isArray(records)) {
    throw new InvalidResponse(`response has no array at "${recordSelector}" (found ${records === undefined ? 'nothing' : typeof records})`);
  }
  return { body, records };
}

/** Where the config says the API reports its size: the config key, its value and the unit counted. */
interface TotalField {
  readonly key: string;
  readonly name: string;
  readonly unit: ReportedTotal['unit'];
  /** The style's config key for the other unit, if it has one. */
  readonly otherKey?: string;
}

function totalField(p: PaginationConfig): TotalField | undefined {
  const field = (key: string, name: string | undefined, unit: ReportedTotal['unit'], otherKey?: string) => (name ? { key, name, unit, otherKey } : undefined);
  switch (p.type) {
    case 'none':
      return undefined;
    case 'page_number':
      return field('totalPagesPath', p.totalPagesPath, 'pages', 'totalRecordsPath') ?? field('totalRecordsPath', p.totalRecordsPath, 'records', 'totalPagesPath');
    case 'offset':
    case 'cursor':
      return field('totalRecordsPath', p.totalRecordsPath, 'records');
    case 'link_header':
      return (
        field('totalPagesHeader', p.totalPagesHeader, 'pages', 'totalRecordsHeader') ?? field('totalRecordsHeader', p.totalRecordsHeader, 'records', 'totalPagesHeader')
      );
  }
}

const describeField = (f: TotalField) => `pagination.${f.key} ${JSON.stringify(f.name)}`;

/** The total the API reports on this page; a configured total that is missing or not a count is an error, not "no total". */
function reportedTotal(p: PaginationConfig, body: unknown, headers: Headers): { field: TotalField; total: ReportedTotal } | undefined {
  const field = totalField(p);
  if (!field) return undefined;
  const raw = p.type === 'link_header' ? headers.get(field.name) : selectPath(body, field.name);
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new PaginationError(`${describeField(field)}: the response has ${raw === undefined || raw === null ? 'no such field' : JSON.stringify(raw)}, not a count of ${field.unit}; fix the name or remove it`);
  }
  return { field, total: { unit: field.unit, count: n } };
}

/**
 * Holds the run to the API's total. Served more than it reports: the total counts something else
 * (pages configured as records, say) and pagination may have stopped far too soon. Ended short of
 * it: records are missing (an empty page mid-way, an API shifting under offset pages).
 */
function checkTotal(field: TotalField, total: ReportedTotal, counted: number, page: { count: number; done: boolean }): void {
  const where = `${total.count} ${field.unit} the API reports at ${describeField(field)}`;
  const otherUnit = field.otherKey ? `; if that field counts ${field.unit === 'pages' ? 'records' : 'pages'}, configure it as pagination.${field.otherKey}` : '';
  // Pages past the total only count when they hold records: an empty window may report 0 pages and still serve one empty page.
  if (counted > total.count && (field.unit === 'records' || page.count > 0)) {
    throw new PaginationError(`served ${counted} ${field.unit}, more than the ${where}${otherUnit || '; point it at a count of records or remove it'}`);
  }
  if (page.done && counted < total.count) {
    throw new PaginationError(`pagination ended after ${counted} of the ${where}: records are missing (an empty page before the end, a source shifting under the run)${otherUnit}`);
  }
}

export interface Advance {
  readonly state: PageState;
  /** The size the API reports (its total field/header), when the config points at one. */
  readonly total: ReportedTotal | null;
}

/**
 * The page state after a page: the next page number/offset/cursor/link and whether pagination is
 * done. Stop conditions: an empty page (page number, offset); the reported total reached, or
 * without a total a short page; no next cursor; no `rel=next` link. With a total, the pages or
 * records (`kept`: the run's records after this page, de-duplicated) must match it.
 */
export function advance(p: PaginationConfig, state: PageState, page: { body: unknown; headers: Headers; url: URL; count: number; kept: number }): Advance {
  const served = state.served + page.count;
  const reported = reportedTotal(p, page.body, page.headers);
  const total = reported?.total;
  const base = { ...state, seq: state.seq + 1, served };
  let next: PageState;
  switch (p.type) {
    case 'none':
      next = { ...base, done: true };
      break;
    case 'page_number': {
      const reached = total ? (total.unit === 'pages' ? base.seq : served) >= total.count : page.count < p.pageSize;
      next = { ...base, next: state.next + 1, done: page.count === 0 || reached };
      break;
    }
    case 'offset':
      next = { ...base, next: state.next + page.count, done: page.count === 0 || (total ? state.next + page.count >= total.count : page.count < p.limit) };
      break;
    case 'cursor': {
      const cursor = selectPath(page.body, p.nextCursorPath);
      const token = cursor === undefined || cursor === null || cursor === '' ? null : String(cursor);
      if (token !== null && token === state.token) throw new PaginationError(`next cursor ${JSON.stringify(token)} did not advance`);
      next = { ...base, token, done: token === null };
      break;
    }
    case 'link_header': {
      const target = linkTarget(page.headers.get('link'), p.rel, page.url);
      if (target && target.origin !== page.url.origin) throw new PaginationError(`rel=${p.rel} link ${target.href} leaves the API origin ${page.url.origin}`);
      if (target && target.href === page.url.href) throw new PaginationError(`rel=${p.rel} link points back at the same page`);
      next = { ...base, token: target ? target.href : null, done: !target };
      break;
    }
  }
  if (reported) checkTotal(reported.field, reported.total, reported.total.unit === 'pages' ? next.seq : page.kept, { count: page.count, done: next.done });
  return { state: next, total: total ?? null };
}
