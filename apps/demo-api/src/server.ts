import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { GeneratorOptions, InvoiceGenerator, ShopOrderGenerator, ShopOrderGeneratorOptions } from '@nfe-lake/examples';
import { Fault, FaultPlan, PaginationStyle } from './faults';

export interface DemoApiOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Records in each dataset (indices 0..count-1). @default 10000 */
  readonly count?: number;
  /** Invoice data shape (seed, first issue instant, spacing). @default - the NF-e example generator's defaults */
  readonly generator?: GeneratorOptions;
  /** Order data shape (seed, first order instant, spacing). @default - the shop-orders example generator's defaults */
  readonly orderGenerator?: ShopOrderGeneratorOptions;
  /** When set, every request needs it (`x-api-key` header, `api_key` query or `Authorization: Bearer`). @default - no auth */
  readonly apiKey?: string;
  /** Faults to inject, decided per request. @default - none */
  readonly faults?: FaultPlan;
  /** Remember every record id served in a complete 2xx response (tests compare it with S3). @default false */
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
/** Every style of lake-core's pagination config, each once (the compiler checks the record is complete). */
const STYLES: Record<PaginationStyle, true> = { none: true, page_number: true, offset: true, cursor: true, link_header: true };

/** Any record the API serves: a JSON object with a string status (the `invalid-record` fault breaks it). */
type ApiRecord = { status: string } & object;

/** A dataset the API serves: record `i` of an index-ordered series, its id, and the instant its window filters on. */
interface Dataset {
  /** The route's last segment: `/<style>/<name>`. */
  readonly name: string;
  record(i: number): ApiRecord;
  /** The field holding a record's id. */
  readonly idField: string;
  /** The instant of record `i`, monotonic in `i` (the half-open window `[<field>_since, <field>_until)` is on it). */
  at(i: number): number;
  /** The window's query parameter prefix: `<windowField>_since` / `<windowField>_until`. */
  readonly windowField: string;
}

/** One route: a pagination style over a dataset. */
interface Route {
  readonly style: PaginationStyle;
  readonly dataset: Dataset;
}

function datasetsOf(options: DemoApiOptions): Dataset[] {
  const invoices = new InvoiceGenerator(options.generator);
  const orders = new ShopOrderGenerator(options.orderGenerator);
  return [
    { name: 'invoices', record: (i) => invoices.invoice(i), idField: 'invoice_id', at: (i) => invoices.issuedAt(i).getTime(), windowField: 'issued' },
    { name: 'orders', record: (i) => orders.order(i), idField: 'order_id', at: (i) => orders.orderedAt(i).getTime(), windowField: 'ordered' },
  ];
}

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
 * The records a request can see: the time window over the dataset, after `inserted` newer
 * records were put in front of it (the `shift` fault).
 */
class View {
  constructor(
    private readonly dataset: Dataset,
    private readonly lo: number,
    private readonly hi: number,
    private readonly inserted: number,
    private readonly count: number,
  ) {}

  get total(): number {
    return this.hi - this.lo + this.inserted;
  }

  /** Records at view positions `[from, to)`. */
  slice(from: number, to: number): ApiRecord[] {
    const out: ApiRecord[] = [];
    for (let p = Math.max(0, from); p < Math.min(to, this.total); p++) {
      // Inserted records are newest first, with indices past the original dataset.
      out.push(this.dataset.record(p < this.inserted ? this.count + this.inserted - 1 - p : this.lo + p - this.inserted));
    }
    return out;
  }

  /** Keyset page for cursor pagination: dataset indices `[index, index + limit)` inside the window. */
  fromIndex(index: number, limit: number): { records: ApiRecord[]; next: number | null } {
    const start = Math.max(index, this.lo);
    const end = Math.min(start + limit, this.hi);
    const records = Array.from({ length: Math.max(0, end - start) }, (_, k) => this.dataset.record(start + k));
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
  records: ApiRecord[];
  headers?: Record<string, string>;
}

function pageFor(style: PaginationStyle, url: URL, view: View): Page {
  switch (style) {
    case 'page_number': {
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
    case 'link_header': {
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
    case 'none': {
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

/** Starts the demo API (the example datasets: NF-e-like invoices, shop orders) on a loopback port. */
export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const count = options.count ?? 10_000;
  const datasets = datasetsOf(options);
  const routes = new Map<string, Route>(datasets.flatMap((dataset) => Object.keys(STYLES).map((style) => [`/${style}/${dataset.name}`, { style: style as PaginationStyle, dataset }])));
  const served = new Set<string>();
  const sockets = new Set<Socket>();
  let faults = options.faults;
  let requests = 0;
  let inserted = 0;

  const indexAt = (dataset: Dataset, t: number | undefined, fallback: number) => {
    if (t === undefined) return fallback;
    const origin = dataset.at(0);
    return Math.min(count, Math.max(0, Math.ceil((t - origin) / (dataset.at(1) - origin))));
  };

  const viewFor = (url: URL, dataset: Dataset) => {
    const field = dataset.windowField;
    return new View(dataset, indexAt(dataset, timeParam(url, `${field}_since`), 0), indexAt(dataset, timeParam(url, `${field}_until`), count), inserted, count);
  };

  const serve = (_req: IncomingMessage, res: ServerResponse, url: URL, route: Route, alter?: (page: Page) => void) => {
    const page = pageFor(route.style, url, viewFor(url, route.dataset));
    alter?.(page);
    if (options.trackServed) for (const r of page.records) served.add(String((r as unknown as Record<string, unknown>)[route.dataset.idField]));
    sendJson(res, 200, page.body, page.headers);
  };

  const apply = (fault: Fault, req: IncomingMessage, res: ServerResponse, url: URL, route: Route): void => {
    switch (fault.kind) {
      case 'status':
        return sendJson(res, fault.status, { error: `injected ${fault.status}` }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay':
        setTimeout(() => serve(req, res, url, route), fault.ms);
        return;
      case 'truncate': {
        const text = JSON.stringify(pageFor(route.style, url, viewFor(url, route.dataset)).body);
        const half = text.slice(0, Math.floor(text.length / 2));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(half) });
        res.end(half);
        return;
      }
      case 'no-records':
        return sendJson(res, 200, { message: 'maintenance' });
      case 'empty':
        return serve(req, res, url, route, (page) => {
          page.records.length = 0;
        });
      case 'invalid-record':
        return serve(req, res, url, route, (page) => {
          if (page.records[0]) page.records[0].status = 'lost';
        });
      case 'shift':
        inserted += fault.insert;
        return serve(req, res, url, route);
    }
  };

  const server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const route = routes.get(url.pathname);
      if (req.method !== 'GET' || route === undefined) return sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}`, routes: [...routes.keys()] });
      if (!authorized(req, url, options.apiKey)) return sendJson(res, 401, { error: 'missing or wrong API key' });
      const fault = faults?.({ requestNo: requests, style: route.style, dataset: route.dataset.name, url });
      if (fault) return apply(fault, req, res, url, route);
      serve(req, res, url, route);
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
