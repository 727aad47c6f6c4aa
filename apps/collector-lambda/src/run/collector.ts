import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  COLLECTOR_METRICS,
  formatIssues,
  RecordContract,
  manifestKey,
  rawObjectKey,
  RecordValidator,
  recordValidator,
  RunManifest,
  runManifestSchema,
  SourceConfig,
} from '@nfe-lake/lake-core';
import { PartWriter, WrittenPart } from '../batch/part-writer';
import { JsonStore, Versioned } from '../checkpoint/json-store';
import { commitCheckpoint } from '../checkpoint/lease';
import { Checkpoint, runRefOf } from '../checkpoint/state';
import { CorruptStateError, PreconditionFailed, RetryDeferred, SourceError, SourceLocation, storageCall } from '../errors';
import { FetchedPage, HttpClient } from '../fetch/http-client';
import { selectPath } from '../page/json-path';
import { advance, Advance, PageState, pageUrl, ParsedPage, PaginationError, parsePage } from '../page/pagination';
import { Budget } from './budget';

/** A run's lease outlives the invocation by this much (then a stale message or the schedule may take over). */
export const LEASE_GRACE_MS = 60_000;
/** After a hand-off the lease covers the message delay plus this much for SQS to deliver it. */
export const HANDOFF_GRACE_MS = 15 * 60_000;
/** Consecutive hand-offs without a page: beyond this the run is poison. */
export const MAX_STALLS = 20;
const LOGGED_INVALID_RECORDS = 5;

export interface RunEnv {
  readonly source: SourceConfig;
  readonly contract: RecordContract;
  readonly s3: S3Client;
  readonly store: JsonStore;
  readonly http: HttpClient;
  readonly budget: Budget;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  /** Multipart chunk size. @default MULTIPART_CHUNK_BYTES */
  readonly chunkBytes?: number;
}

export type RunOutcome =
  | { readonly kind: 'complete'; readonly manifest: RunManifest }
  | { readonly kind: 'handoff'; readonly reason: 'deadline' | 'retry-after'; readonly delaySeconds: number };

/** A page's records not served before in the run's last two pages, and their primary keys. */
interface Fresh {
  readonly records: unknown[];
  readonly keys: string[];
}

type Fetch = { readonly ok: true; readonly url: URL; readonly page: FetchedPage<ParsedPage> } | { readonly ok: false; readonly error: unknown };

function unwrap(fetch: Fetch): { url: URL; page: FetchedPage<ParsedPage> } {
  if (!fetch.ok) throw fetch.error;
  return fetch;
}

/** The run made no progress across too many hand-offs (e.g. a Retry-After that never ends). */
export class StalledRunError extends Error {
  constructor(runId: string, stalls: number) {
    super(`run ${runId} made no progress in ${stalls} consecutive invocations`);
    this.name = 'StalledRunError';
  }
}

/**
 * Collects one run from its claimed checkpoint: fetch -> page -> batch -> write -> checkpoint.
 * Pages are appended to the open part; a part is published when it is full, before a hand-off and
 * at the end, and only then is the checkpoint (page state + part list) committed. Part numbers
 * follow the checkpoint, so a page retried after a crash lands in the same key.
 */
export class RunCollector {
  private work: Checkpoint;
  private writer: PartWriter | undefined;
  private pagesThisInvocation = 0;
  private invalidLogged = 0;
  private readonly validate: RecordValidator | undefined;

  constructor(
    private readonly env: RunEnv,
    private committed: Versioned<Checkpoint>,
  ) {
    this.work = structuredClone(committed.value);
    this.validate = env.source.validate ? recordValidator(env.contract) : undefined;
  }

  /** The last committed checkpoint (what survives whatever happens next). */
  get checkpoint(): Versioned<Checkpoint> {
    return this.committed;
  }

  async collect(): Promise<RunOutcome> {
    const { source, budget, now, remainingMs } = this.env;
    // The next page's request, started before this page is processed: the API's latency overlaps
    // our parsing, validation and gzip. At most one page ahead; dropped (unread) at a hand-off.
    let ahead: Promise<Fetch> | undefined;
    while (!this.work.page.done) {
      const started = now();
      // At least one page per invocation, so a tight budget still makes progress.
      if (this.pagesThisInvocation > 0 && !budget.hasTimeForPage(remainingMs(), this.writer?.pendingBytes ?? 0)) return this.handoff('deadline', 0);
      const request = ahead ?? this.fetch(this.work.page);
      ahead = undefined;
      try {
        const { url, page } = unwrap(await request);
        const fresh = this.dedupe(page.value.records);
        const step = this.advance(url, page, fresh);
        // Only when the budget still allows another page: a prefetch dropped at a hand-off is a wasted call.
        if (!step.state.done && budget.hasTimeForPage(remainingMs(), this.writer?.pendingBytes ?? 0)) ahead = this.fetch(step.state);
        await this.batch(url, page, fresh, step);
        this.pagesThisInvocation++;
        budget.recordPage(now() - started);
      } catch (e) {
        if (e instanceof RetryDeferred) return this.handoff('retry-after', e.retryAfterSeconds);
        // Keep what the pages before the bad one gave: the run resumes at the bad page.
        if (e instanceof SourceError) await this.flush();
        throw e;
      }
      const writer = this.writer;
      if (writer && (writer.uncompressedBytes >= source.batching.maxPartBytes || writer.records >= source.batching.maxPartRecords)) await this.flush();
    }
    await this.flush();
    return this.complete();
  }

  /** Stops at this page boundary: publishes the open part, commits, and reserves the run for the continuation message. */
  private async handoff(reason: 'deadline' | 'retry-after', delaySeconds: number): Promise<RunOutcome> {
    if (this.pagesThisInvocation === 0) this.work.stalls += 1;
    if (this.work.stalls > MAX_STALLS) throw new StalledRunError(this.work.runId, this.work.stalls);
    this.work.continuations += 1;
    await this.flush(this.env.now() + delaySeconds * 1000 + HANDOFF_GRACE_MS);
    this.env.metrics.addMetric('Continuations', MetricUnit.Count, 1);
    return { kind: 'handoff', reason, delaySeconds };
  }

  /** Drops unpublished work after an error (the checkpoint still describes what is durable). */
  async discard(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.abort();
  }

  // -- fetch -------------------------------------------------------------------------------------

  /** Requests the page at `state`; never rejects (a prefetch may be awaited late, or never). */
  private fetch(state: PageState): Promise<Fetch> {
    const { source, http, budget, remainingMs } = this.env;
    const url = pageUrl(source, this.work.window ?? undefined, state);
    const retryBudgetMs = budget.retryBudgetMs(remainingMs(), this.writer?.pendingBytes ?? 0);
    return http.get(url, state.seq, (text) => parsePage(text, source.recordSelector), retryBudgetMs).then(
      (page) => ({ ok: true, url, page }),
      (error: unknown) => ({ ok: false, error }),
    );
  }

  // -- page: stop conditions, de-duplication, validation ------------------------------------

  private location(url: URL): SourceLocation {
    return { source: this.env.source.name, url: url.toString(), page: this.work.page.seq };
  }

  /** Records of a page not seen in the last two pages (by primary key): a shifting offset API serves some twice. */
  private dedupe(records: readonly unknown[]): Fresh {
    const seen = new Set(this.work.recentKeys.flat());
    const fresh: Fresh = { records: [], keys: [] };
    for (const record of records) {
      const key = this.primaryKey(record);
      if (key !== undefined) {
        if (seen.has(key)) continue;
        seen.add(key);
        fresh.keys.push(key);
      }
      fresh.records.push(record);
    }
    return fresh;
  }

  /** The page state after this page (the next request), or a SourceError when pagination cannot go on. */
  private advance(url: URL, fetched: FetchedPage<ParsedPage>, fresh: Fresh): Advance {
    try {
      const page = { body: fetched.value.body, headers: fetched.headers, url, count: fetched.value.records.length, kept: this.work.records + fresh.records.length };
      const step = advance(this.env.source.pagination, this.work.page, page);
      return { ...step, state: this.withoutQuerySecret(step.state) };
    } catch (e) {
      if (e instanceof PaginationError) throw new SourceError(e.message, this.location(url), undefined, { cause: e });
      throw e;
    }
  }

  private async batch(url: URL, fetched: FetchedPage<ParsedPage>, fresh: Fresh, step: Advance): Promise<void> {
    const { logger, metrics } = this.env;
    const location = this.location(url);
    const lines = this.accept(fetched.value.records.length, fresh, location);
    if (lines.length) {
      this.writer ??= new PartWriter(this.env.s3, this.env.store.bucket, rawObjectKey({ ...runRefOf(this.work), part: this.work.nextPart }), this.env.chunkBytes);
      await this.writer.write(lines);
    }
    this.work.page = step.state;
    if (step.total !== null) {
      if (this.work.apiReportedTotal !== null && step.total.count !== this.work.apiReportedTotal.count) {
        logger.warn('the API total changed while paginating: the source is shifting under us', { ...location, before: this.work.apiReportedTotal, now: step.total });
        metrics.addMetric('SourceShifted', MetricUnit.Count, 1);
      }
      this.work.apiReportedTotal = step.total;
    }
    this.work.stalls = 0;
    metrics.addMetric('Pages', MetricUnit.Count, 1);
    metrics.addMetric('Records', MetricUnit.Count, lines.length);
    logger.debug('page collected', { ...location, records: lines.length, served: fetched.value.records.length, bytes: fetched.bytes, done: step.state.done });
  }

  /** Records to write, as NDJSON lines: counts the duplicates dropped and contract failures. */
  private accept(served: number, fresh: Fresh, location: SourceLocation): string[] {
    const lines = fresh.records.map((record, index) => {
      this.check(record, location, index);
      this.trackCursor(record);
      return JSON.stringify(record);
    });
    const dropped = served - lines.length;
    if (dropped) {
      this.work.duplicatesDropped += dropped;
      this.env.logger.warn('dropped records the API served twice (shifting pages)', { ...location, dropped });
      this.env.metrics.addMetric('DuplicatesDropped', MetricUnit.Count, dropped);
    }
    this.work.recentKeys = [...this.work.recentKeys.slice(-1), fresh.keys];
    this.work.records += lines.length;
    return lines;
  }

  private primaryKey(record: unknown): string | undefined {
    if (record === null || typeof record !== 'object') return undefined;
    const values = this.env.contract.primaryKey.map((k) => (record as Record<string, unknown>)[k]);
    if (values.some((v) => v === undefined || v === null)) return undefined;
    return JSON.stringify(values);
  }

  /** Invalid records are still written (raw keeps what the API served); the job quarantines them. */
  private check(record: unknown, location: SourceLocation, index: number): void {
    const result = this.validate?.(record);
    if (!result || result.ok) return;
    this.work.invalidRecords += 1;
    this.env.metrics.addMetric('InvalidRecords', MetricUnit.Count, 1);
    if (this.invalidLogged++ < LOGGED_INVALID_RECORDS) {
      this.env.logger.warn('record does not match the contract', { ...location, index, issues: formatIssues(result.issues) });
    }
  }

  private trackCursor(record: unknown): void {
    const field = this.env.source.incremental?.cursorField;
    if (!field) return;
    const value = selectPath(record, field);
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value);
    if (this.work.firstCursor === null || cursorBefore(text, this.work.firstCursor)) this.work.firstCursor = text;
    if (this.work.lastCursor === null || cursorBefore(this.work.lastCursor, text)) this.work.lastCursor = text;
  }

  /** A `rel=next` link may echo an API key sent in the query: never persist it. */
  private withoutQuerySecret(state: PageState): PageState {
    const { auth } = this.env.source;
    if (state.token === null || this.env.source.pagination.type !== 'link_header' || auth.type !== 'api_key' || auth.in !== 'query') return state;
    const url = new URL(state.token);
    url.searchParams.delete(auth.name);
    return { ...state, token: url.toString() };
  }

  // -- write, then checkpoint --------------------------------------------------------------

  /** Publishes the open part (if any), then commits the checkpoint that covers it. */
  private async flush(leaseUntilMs = this.env.now() + this.env.remainingMs() + LEASE_GRACE_MS): Promise<void> {
    const writer = this.writer;
    if (writer) {
      const started = this.env.now();
      const part = await this.publish(writer);
      this.env.budget.recordFlush(part.bytes, this.env.now() - started);
      this.writer = undefined;
      this.work.parts.push(part);
      this.work.nextPart += 1;
      this.work.bytes += part.bytes;
      this.env.metrics.addMetric('Parts', MetricUnit.Count, 1);
      this.env.metrics.addMetric('Bytes', MetricUnit.Bytes, part.bytes);
      this.env.logger.info('part written', { ...part });
    }
    await this.commit(this.work, leaseUntilMs);
  }

  private async publish(writer: PartWriter): Promise<WrittenPart> {
    try {
      return await writer.publish();
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
    }
    // The key exists but no checkpoint lists it: an attempt that died between write and commit
    // left it. Re-commit our checkpoint first: if another invocation owns the run now, that
    // throws LeaseLostError and we touch nothing.
    await this.commit(this.committed.value, this.env.now() + this.env.remainingMs() + LEASE_GRACE_MS);
    this.env.logger.warn('replacing an orphan part left by a crashed attempt', { key: writer.key });
    this.env.metrics.addMetric('OrphanPartsReplaced', MetricUnit.Count, 1);
    await storageCall('DeleteObject', writer.key, () => this.env.s3.send(new DeleteObjectCommand({ Bucket: this.env.store.bucket, Key: writer.key })));
    return writer.publish();
  }

  private async commit(next: Checkpoint, leaseUntilMs: number): Promise<void> {
    const started = this.env.now();
    this.committed = await commitCheckpoint(this.env.store, this.committed, next, leaseUntilMs);
    this.env.budget.recordCommit(this.env.now() - started);
  }

  // -- completion ----------------------------------------------------------------------------

  private async complete(): Promise<RunOutcome> {
    const w = this.work;
    const manifest = runManifestSchema.parse({
      version: 1,
      source: w.source,
      dataset: w.dataset,
      runId: w.runId,
      ingestDate: w.ingestDate,
      ...(w.window ? { window: w.window } : {}),
      startedAt: w.startedAt,
      completedAt: new Date(this.env.now()).toISOString(),
      records: w.records,
      invalidRecords: w.invalidRecords,
      pages: w.page.seq,
      bytes: w.bytes,
      parts: w.parts,
      firstCursor: w.firstCursor,
      lastCursor: w.lastCursor,
      apiReportedTotal: w.apiReportedTotal,
      continuations: w.continuations,
    });
    const key = manifestKey(runRefOf(w));
    let written = manifest;
    try {
      await this.env.store.put(key, manifest, { ifNoneMatch: true });
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      // An attempt that died after writing the manifest: it must describe the same parts.
      const existing = await this.env.store.get(key, runManifestSchema);
      if (!existing || JSON.stringify(existing.value.parts) !== JSON.stringify(manifest.parts)) {
        throw new CorruptStateError(`s3://${this.env.store.bucket}/${key}`, 'a manifest with different parts exists for this run');
      }
      written = existing.value;
    }
    await this.commit({ ...w, status: 'complete' }, this.env.now());
    this.env.metrics.addMetric(COLLECTOR_METRICS.runsCompleted, MetricUnit.Count, 1);
    this.env.logger.info('run complete', { manifestKey: key, records: written.records, parts: written.parts.length, apiReportedTotal: written.apiReportedTotal });
    return { kind: 'complete', manifest: written };
  }
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Cursor order: numerically when both are numbers, by instant when both are date-times, else as text. */
export function cursorBefore(a: string, b: string): boolean {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) < Number(b);
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta < tb;
  return a < b;
}
