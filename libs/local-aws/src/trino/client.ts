import { LocalAwsError } from '../moto';

export interface TrinoColumn {
  readonly name: string;
  /** Trino's type, e.g. `bigint`, `decimal(38, 2)`, `varchar`, `date`. */
  readonly type: string;
}

/** What Trino reports about a finished query (from the protocol's final `stats`). */
export interface TrinoQueryStats {
  readonly elapsedMs: number;
  /** Bytes read from storage (S3): what Athena bills as "data scanned". */
  readonly physicalInputBytes: number;
  readonly processedRows: number;
  readonly processedBytes: number;
}

export interface TrinoResult {
  readonly columns: readonly TrinoColumn[];
  /** Values as Trino's JSON encodes them: numbers for integers and doubles, strings for decimals, dates and timestamps. */
  readonly rows: readonly (readonly unknown[])[];
  readonly stats: TrinoQueryStats;
}

export interface QueryOptions {
  /** @default 'hive' */
  readonly catalog?: string;
  /** Schema (Glue database) unqualified table names resolve in. @default - none */
  readonly schema?: string;
  /**
   * How long a statement Trino could not schedule (`NO_NODES_AVAILABLE`: its only node missed a
   * heartbeat, as happens on a loaded machine) is submitted again. @default 120000
   */
  readonly unscheduledRetryMs?: number;
}

/** Errors raised before a statement runs anywhere: submitting it again is safe. */
const UNSCHEDULED = ['NO_NODES_AVAILABLE'];

export class TrinoQueryError extends LocalAwsError {
  constructor(
    message: string,
    /** Trino's error name, e.g. `TABLE_NOT_FOUND`, `TYPE_MISMATCH`; `NO_NODES_AVAILABLE` while starting. */
    readonly errorName: string,
  ) {
    super(message);
    this.name = 'TrinoQueryError';
  }
}

interface StatementResponse {
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  stats: { state: string; elapsedTimeMillis?: number; physicalInputBytes?: number; processedRows?: number; processedBytes?: number };
  error?: { message: string; errorName: string };
}

/**
 * Runs one statement over Trino's client REST protocol (POST /v1/statement, then follow `nextUri`)
 * and returns all rows. Throws TrinoQueryError with Trino's message and the SQL.
 */
export async function trinoQuery(endpoint: string, sql: string, options: QueryOptions = {}): Promise<TrinoResult> {
  const deadline = Date.now() + (options.unscheduledRetryMs ?? 120_000);
  for (;;) {
    try {
      return await runStatement(endpoint, sql, options);
    } catch (e) {
      if (!(e instanceof TrinoQueryError) || !UNSCHEDULED.includes(e.errorName) || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function runStatement(endpoint: string, sql: string, options: QueryOptions): Promise<TrinoResult> {
  const headers: Record<string, string> = { 'X-Trino-User': 'lake', 'X-Trino-Source': 'nfe-lake', 'X-Trino-Catalog': options.catalog ?? 'hive' };
  if (options.schema) headers['X-Trino-Schema'] = options.schema;
  let page = await call(`${endpoint}/v1/statement`, { method: 'POST', headers, body: sql });
  let columns: TrinoColumn[] = [];
  const rows: unknown[][] = [];
  for (;;) {
    if (page.error) throw new TrinoQueryError(`trino: ${page.error.errorName}: ${page.error.message}\n  in: ${sql}`, page.error.errorName);
    if (page.columns) columns = page.columns.map((c) => ({ name: c.name, type: c.type }));
    if (page.data) rows.push(...page.data);
    if (!page.nextUri) break;
    page = await call(page.nextUri, { method: 'GET', headers });
  }
  const s = page.stats;
  return {
    columns,
    rows,
    stats: { elapsedMs: s.elapsedTimeMillis ?? 0, physicalInputBytes: s.physicalInputBytes ?? 0, processedRows: s.processedRows ?? 0, processedBytes: s.processedBytes ?? 0 },
  };
}

async function call(url: string, init: RequestInit): Promise<StatementResponse> {
  // 503 while the server initialises, 429 when busy: the protocol says retry the same URI
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, init);
    if ((res.status === 503 || res.status === 429) && attempt < 40) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const text = await res.text();
    if (res.status !== 200) throw new TrinoQueryError(`trino: HTTP ${res.status} from ${url}: ${text.slice(0, 500)}`, `HTTP_${res.status}`);
    return JSON.parse(text) as StatementResponse;
  }
}

/** A result as an aligned text table: header, rule, then the first `limit` rows. */
export function formatResult(result: TrinoResult, limit = Number.POSITIVE_INFINITY): string {
  const header = result.columns.map((c) => c.name);
  const rows = result.rows.slice(0, limit).map((r) => r.map((v) => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  const more = result.rows.length > rows.length ? [`(${result.rows.length - rows.length} more rows)`] : [];
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line), ...more].join('\n');
}
