import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { GeneratorOptions, Invoice, InvoiceGenerator } from '@nfe-lake/lake-core';
import { Fault, FaultPlan, PaginationStyle } from './faults';

export interface DemoApiOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Invoices in the dataset (indices 0..count-1). @default 10000 */
  readonly count?: number;
  /** Sample data shape (seed, first issue instant, spacing). @default - lake-core's defaults */
  readonly generator?: GeneratorOptions;
  /** When set, every request needs it (`x-api-key` header, `api_key` query or `Authorization: Bearer`). @default - no auth */
  readonly apiKey?: string;
  /** Faults to inject, decided per request. @default - none */
  readonly faults?: FaultPlan;
  /** Remember every invoice id served in a complete 2xx response (tests compare it with S3). @default false */
  readonly trackServed?: boolean;
}

export interface DemoApi {
  readonly url: string;
  readonly port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Ids served in complete 2xx responses (empty unless `trackServed`). */
  readonly served: ReadonlySet<string>;
  /** Replaces the fault plan (request numbering continues). */
  setFaults(plan: FaultPlan | undefined): void;
  close(): Promise<void>;
}

const MAX_PAGE_SIZE = 1000;
const PATHS: Record<string, PaginationStyle> = {
  '/page/invoices': 'page',
  '/offset/invoices': 'offset',
  '/cursor/invoices': 'cursor',
  '/link/invoices': 'link',
  '/all/invoices': 'all',
};

class BadRequest extends Error {}

function intParam(url: URL, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadRequest(`query parameter ${name}=${raw}: expected an integer in ${min}..${max}`);
  return n;
}

function timeParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new BadRequest(`query parameter ${name}=${raw}: expected an ISO 8601 date-time`);
  return t;
}

/**
 * The records a request can see: the issue-time window `[issued_since, issued_until)` over the
 * dataset, after `inserted` newer invoices were put in front of it (the `shift` fault).
 */
class View {
  constructor(
    private readonly generator: InvoiceGenerator,
    private readonly lo: number,
    private readonly hi: number,
    private readonly inserted: number,
    private readonly count: number,
  ) {}

  get total(): number {
    return this.hi - this.lo + this.inserted;
  }

  /** Invoices at view positions `[from, to)`. */
  slice(from: number, to: number): Invoice[] {
    const out: Invoice[] = [];
    for (let p = Math.max(0, from); p < Math.min(to, this.total); p++) {
      // Inserted invoices are newest first, with indices past the original dataset.
      out.push(this.generator.invoice(p < this.inserted ? this.count + this.inserted - 1 - p : this.lo + p - this.inserted));
    }
    return out;
  }

  /** Keyset page for cursor pagination: dataset indices `[index, index + limit)` inside the window. */
  fromIndex(index: number, limit: number): { records: Invoice[]; next: number | null } {
    const start = Math.max(index, this.lo);
    const end = Math.min(start + limit, this.hi);
    const records = [...this.generator.range(start, end)];
    return { records, next: end < this.hi ? end : null };
  }
}

const encodeCursor = (index: number) => Buffer.from(`i:${index}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^i:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new BadRequest(`invalid cursor ${JSON.stringify(cursor)}`);
  return Number(m[1]);
}

interface Page {
  body: unknown;
  records: Invoice[];
  headers?: Record<string, string>;
}

function pageFor(style: PaginationStyle, url: URL, view: View): Page {
  switch (style) {
    case 'page': {
      const size = intParam(url, 'page_size', 100, 1, MAX_PAGE_SIZE);
      const page = intParam(url, 'page', 1, 1);
      const records = view.slice((page - 1) * size, page * size);
      return { records, body: { data: records, page, page_size: size, total: view.total, total_pages: Math.ceil(view.total / size) } };
    }
    case 'offset': {
      const limit = intParam(url, 'limit', 100, 1, MAX_PAGE_SIZE);
      const offset = intParam(url, 'offset', 0, 0);
      const records = view.slice(offset, offset + limit);
      return { records, body: { data: records, offset, limit, total: view.total } };
    }
    case 'cursor': {
      const limit = intParam(url, 'limit', 100, 1, MAX_PAGE_SIZE);
      const cursor = url.searchParams.get('cursor');
      const { records, next } = view.fromIndex(cursor ? decodeCursor(cursor) : 0, limit);
      return { records, body: { data: records, next_cursor: next === null ? null : encodeCursor(next), total: view.total } };
    }
    case 'link': {
      const size = intParam(url, 'per_page', 100, 1, MAX_PAGE_SIZE);
      const page = intParam(url, 'page', 1, 1);
      const records = view.slice((page - 1) * size, page * size);
      const links: string[] = [];
      const at = (p: number) => {
        const u = new URL(url.pathname + url.search, 'http://x');
        u.searchParams.set('page', String(p));
        return `<${u.pathname}${u.search}>`;
      };
      if (page * size < view.total) links.push(`${at(page + 1)}; rel="next"`);
      links.push(`${at(1)}; rel="first"`);
      const headers = { link: links.join(', '), 'x-total-count': String(view.total), 'x-total-pages': String(Math.ceil(view.total / size)) };
      return { records, body: records, headers };
    }
    case 'all': {
      const records = view.slice(0, view.total);
      return { records, body: { data: records } };
    }
  }
}

function authorized(req: IncomingMessage, url: URL, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  return req.headers['x-api-key'] === apiKey || url.searchParams.get('api_key') === apiKey || req.headers.authorization === `Bearer ${apiKey}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts the NF-e-like invoice API on a loopback port. */
export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const count = options.count ?? 10_000;
  const generator = new InvoiceGenerator(options.generator);
  const origin = generator.issuedAt(0).getTime();
  const spacing = generator.issuedAt(1).getTime() - origin;
  const served = new Set<string>();
  const sockets = new Set<Socket>();
  let faults = options.faults;
  let requests = 0;
  let inserted = 0;

  const indexAt = (t: number | undefined, fallback: number) =>
    t === undefined ? fallback : Math.min(count, Math.max(0, Math.ceil((t - origin) / spacing)));

  const viewFor = (url: URL) =>
    new View(generator, indexAt(timeParam(url, 'issued_since'), 0), indexAt(timeParam(url, 'issued_until'), count), inserted, count);

  const serve = (_req: IncomingMessage, res: ServerResponse, url: URL, style: PaginationStyle, alter?: (page: Page) => void) => {
    const page = pageFor(style, url, viewFor(url));
    alter?.(page);
    if (options.trackServed) for (const r of page.records) served.add(r.invoice_id);
    sendJson(res, 200, page.body, page.headers);
  };

  const apply = (fault: Fault, req: IncomingMessage, res: ServerResponse, url: URL, style: PaginationStyle): void => {
    switch (fault.kind) {
      case 'status':
        return sendJson(res, fault.status, { error: `injected ${fault.status}` }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay':
        setTimeout(() => serve(req, res, url, style), fault.ms);
        return;
      case 'truncate': {
        const text = JSON.stringify(pageFor(style, url, viewFor(url)).body);
        const half = text.slice(0, Math.floor(text.length / 2));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(half) });
        res.end(half);
        return;
      }
      case 'no-records':
        return sendJson(res, 200, { message: 'maintenance' });
      case 'empty':
        return serve(req, res, url, style, (page) => {
          page.records.length = 0;
        });
      case 'invalid-record':
        return serve(req, res, url, style, (page) => {
          if (page.records[0]) (page.records[0] as { status: string }).status = 'lost';
        });
      case 'shift':
        inserted += fault.insert;
        return serve(req, res, url, style);
    }
  };

  const server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const style = PATHS[url.pathname];
      if (req.method !== 'GET' || style === undefined) return sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}`, routes: Object.keys(PATHS) });
      if (!authorized(req, url, options.apiKey)) return sendJson(res, 401, { error: 'missing or wrong API key' });
      const fault = faults?.({ requestNo: requests, style, url });
      if (fault) return apply(fault, req, res, url, style);
      serve(req, res, url, style);
    } catch (e) {
      if (e instanceof BadRequest) return sendJson(res, 400, { error: e.message });
      throw e;
    }
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    get requests() {
      return requests;
    },
    served,
    setFaults(plan) {
      faults = plan;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
