import { checkpointKey, sourceStateKey } from '@nfe-lake/lake-core';
import { faultsAt, Fault } from '@nfe-lake/demo-api';
import { checkpointSchema, continuationSchema, sourceStateSchema } from '../src/checkpoint/state';
import { SAFETY_MS } from '../src/run/budget';
import { context, demoSource, FIRST_WINDOW_TICK, Lake, sqsEvent, startWorld, testClock, World } from './harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

/** 288 invoices in the first window (one every 5 minutes), 50 a page: 6 pages. */
const SPARSE = { generator: { spacingSeconds: 300 } };

async function withLake(test: (lake: Lake) => Promise<void>, api: Parameters<typeof Lake.create>[1] = SPARSE): Promise<void> {
  const lake = await Lake.create(world, api);
  try {
    await test(lake);
  } finally {
    await lake.close();
  }
}

async function checkpointOf(lake: Lake, runId: string) {
  const text = (await lake.object(checkpointKey({ source: 'demo', dataset: 'nfe_invoice', ingestDate: '2026-01-01', runId }))).toString();
  return checkpointSchema.parse(JSON.parse(text));
}

const RUN_ID = '20260101T000000Z-20260102T000000Z';

describe('transient API faults are retried and lose nothing', () => {
  const httpDate = () => new Date(Date.now() + 2500).toUTCString();
  const cases: { name: string; plan: (n: number) => Fault | undefined; retried: boolean; minMs?: number }[] = [
    { name: '429 with Retry-After in seconds', plan: (n) => (n === 2 ? { kind: 'status', status: 429, retryAfter: '1' } : undefined), retried: true, minMs: 1000 },
    { name: '429 with Retry-After as an HTTP date', plan: (n) => (n === 3 ? { kind: 'status', status: 429, retryAfter: httpDate() } : undefined), retried: true, minMs: 1000 },
    { name: '500, 502 and 503 in a row', plan: (n) => ({ 2: { kind: 'status', status: 500 }, 3: { kind: 'status', status: 502 }, 4: { kind: 'status', status: 503 } })[n] as Fault | undefined, retried: true },
    { name: 'connection resets', plan: (n) => (n === 1 || n === 4 ? { kind: 'reset' } : undefined), retried: true },
    { name: 'a page slower than the timeout', plan: (n) => (n === 3 ? { kind: 'delay', ms: 2500 } : undefined), retried: true, minMs: 1000 },
    { name: 'slow pages under the timeout', plan: (n) => (n % 2 === 0 ? { kind: 'delay', ms: 300 } : undefined), retried: false, minMs: 900 },
    { name: 'truncated JSON', plan: (n) => (n === 2 || n === 5 ? { kind: 'truncate' } : undefined), retried: true },
    { name: 'a 200 without the records array', plan: (n) => (n === 3 ? { kind: 'no-records' } : undefined), retried: true },
  ];

  it.each(cases)('$name', ({ plan, retried, minMs }) =>
    withLake(async (lake) => {
      lake.api.setFaults(({ requestNo }) => plan(requestNo));
      const started = Date.now();
      await lake.collect(lake.handler(demoSource(lake.api, 'page_number', { http: { timeoutMs: 1000, backoffBaseMs: 5, backoffMaxMs: 50, requestsPerSecond: 1000 } })));
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest.records).toBe(288);
      expect(lake.api.requests > manifest.pages).toBe(retried);
      expect(Date.now() - started).toBeGreaterThanOrEqual(minMs ?? 0);
    }),
  );
});

/** The DLQ message of a poison run, its reason, and the run's checkpoint. */
async function deadLetter(lake: Lake) {
  const [dead] = await lake.nextMessages(lake.dlqUrl);
  const reason = dead.MessageAttributes!.reason.StringValue!;
  const checkpoint = await checkpointOf(lake, RUN_ID);
  expect(checkpoint).toMatchObject({ status: 'failed', failure: { reason } });
  return { dead, reason, checkpoint };
}

describe('totals the API reports', () => {
  it('collects a page-number API by its total pages and says so in the manifest', () =>
    withLake(async (lake) => {
      await lake.collect(lake.handler(demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 50, totalPagesPath: 'total_pages' } })));
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest).toMatchObject({ records: 288, pages: 6, apiReportedTotal: { unit: 'pages', count: 6 } });
    }));

  it('collects a Link-header API by its total-pages header', () =>
    withLake(async (lake) => {
      await lake.collect(lake.handler(demoSource(lake.api, 'link_header', { pagination: { type: 'link_header', totalPagesHeader: 'x-total-pages' } })));
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest).toMatchObject({ records: 288, pages: 6, apiReportedTotal: { unit: 'pages', count: 6 } });
    }));

  it('fails a run served more records than the total it reads (a total-pages field configured as records) instead of completing', () =>
    withLake(async (lake) => {
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 50, totalRecordsPath: 'total_pages' } });
      await lake.collect(lake.handler(source));
      expect(await lake.manifests()).toEqual([]);
      expect(await lake.rawIds()).toEqual([]);
      const { reason } = await deadLetter(lake);
      expect(reason).toMatch(
        /^SourceError: served 50 records, more than the 6 records the API reports at pagination.totalRecordsPath "total_pages"; if that field counts pages, configure it as pagination.totalPagesPath \(source demo, page 0, http.*page=1/,
      );
    }));

  it('fails a run whose pagination ends short of the total pages it reads (a records total configured as pages)', () =>
    withLake(async (lake) => {
      await lake.collect(lake.handler(demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 50, totalPagesPath: 'total' } })));
      expect(await lake.manifests()).toEqual([]);
      const { reason, checkpoint } = await deadLetter(lake);
      expect(reason).toMatch(/^SourceError: pagination ended after 7 of the 288 pages the API reports at pagination.totalPagesPath "total": records are missing .*configure it as pagination.totalRecordsPath/);
      // The six pages before the empty one are kept; nothing claims the run is complete.
      expect(checkpoint).toMatchObject({ records: 288, page: { seq: 6, done: false } });
      expect(new Set(await lake.rawIds()).size).toBe(288);
    }));

  it('fails a run whose pagination ends before the reported total, and completes it on redrive once the API serves the rest', () =>
    withLake(async (lake) => {
      lake.api.setFaults(faultsAt({ 3: { kind: 'empty' } }));
      const handler = lake.handler(demoSource(lake.api, 'offset'));
      await lake.collect(handler);
      expect(await lake.manifests()).toEqual([]);
      const { dead, reason, checkpoint } = await deadLetter(lake);
      expect(reason).toMatch(/^SourceError: pagination ended after 100 of the 288 records the API reports at pagination.totalRecordsPath "total": records are missing/);
      expect(checkpoint).toMatchObject({ records: 100, page: { next: 100, done: false } });

      lake.api.setFaults(undefined);
      await handler(sqsEvent([dead]), context(60_000));
      await lake.delete([dead], lake.dlqUrl);
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest).toMatchObject({ records: 288, apiReportedTotal: { unit: 'records', count: 288 } });
    }));

  it('fails an offset API that shifts while read: the records pushed in front were never served', () =>
    withLake(async (lake) => {
      // Before pages 2 and 4, new invoices appear at the front: the next offset page repeats earlier records.
      lake.api.setFaults(faultsAt({ 2: { kind: 'shift', insert: 7 }, 4: { kind: 'shift', insert: 3 } }));
      await lake.collect(lake.handler(demoSource(lake.api, 'offset')));
      expect(await lake.manifests()).toEqual([]);
      const { reason, checkpoint } = await deadLetter(lake);
      expect(reason).toMatch(/^SourceError: pagination ended after 288 of the 298 records/);
      // The repeated records were dropped, not written twice; the last page (the short one) is not kept.
      expect(checkpoint.duplicatesDropped).toBe(10);
      const ids = await lake.rawIds();
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(checkpoint.records);
    }));
});

describe('what the API serves, flagged and kept', () => {
  it('writes and counts a record that breaks the contract', () =>
    withLake(async (lake) => {
      lake.api.setFaults(faultsAt({ 2: { kind: 'invalid-record' } }));
      await lake.collect(lake.handler(demoSource(lake.api, 'page_number')));
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest).toMatchObject({ records: 288, invalidRecords: 1 });
    }));
});

describe('deadline-aware continuation', () => {
  it('stops at page boundaries before a tiny budget runs out and finishes over several continuations', () =>
    withLake(async (lake) => {
      lake.api.setFaults(() => ({ kind: 'delay', ms: 40 }));
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' }, batching: { maxPartRecords: 70 } });
      // Each invocation has the safety margin plus room for a handful of 40 ms pages.
      const results = await lake.collect(lake.handler(source), { budgetMs: SAFETY_MS + 1_000 });
      const [manifest] = await lake.expectExactlyOnce();
      expect(results.length).toBeGreaterThanOrEqual(3);
      expect(manifest.continuations).toBe(results.length - 1);
      expect(manifest.pages).toBe(29);
      // Parts rotate at 70 records and at every hand-off: more parts than rotation alone makes.
      expect(manifest.parts.length).toBeGreaterThan(Math.ceil(288 / 70));
    }));

  it('turns a long Retry-After into a delayed continuation instead of sleeping', () =>
    withLake(async (lake) => {
      lake.api.setFaults(faultsAt({ 3: { kind: 'status', status: 429, retryAfter: '2' } }));
      const handler = lake.handler(demoSource(lake.api, 'page_number', { http: { maxInlineRetryAfterSeconds: 1, requestsPerSecond: 1000 } }));
      const first = await handler({ scheduledTime: '2026-01-02T00:00:00Z' }, context(60_000));
      expect(first.completed).toEqual([]);
      expect(await lake.receive()).toEqual([]); // delayed, not visible yet
      const [message] = await lake.nextMessages();
      expect(continuationSchema.parse(JSON.parse(message.Body!))).toMatchObject({ reason: 'retry-after', seq: expect.any(Number) });
      const second = await handler(sqsEvent([message]), context(60_000));
      await lake.delete([message]);
      expect(second.completed).toHaveLength(1);
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest.continuations).toBe(1);
    }));

  it('re-queues a continuation whose notBefore lies beyond the SQS delay limit', () =>
    withLake(async (lake) => {
      const handler = lake.handler(demoSource(lake.api, 'page_number'));
      const notBefore = new Date(testClock() + 2_000).toISOString();
      const body = JSON.stringify({ version: 1, run: { source: 'demo', dataset: 'nfe_invoice', ingestDate: '2026-01-01', runId: RUN_ID }, seq: 1, reason: 'retry-after', notBefore });
      const result = await handler(sqsEvent([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: body }]), context(60_000));
      expect(result.batchItemFailures).toEqual([]);
      expect(await lake.receive()).toEqual([]);
      const [requeued] = await lake.nextMessages();
      expect(JSON.parse(requeued.Body!)).toEqual(JSON.parse(body));
      expect(testClock()).toBeGreaterThanOrEqual(Date.parse(notBefore) - 1000);
    }));
});

describe('SQS redelivery', () => {
  it('ignores a redelivered continuation after the first copy moved the run on', () =>
    withLake(async (lake) => {
      lake.api.setFaults(() => ({ kind: 'delay', ms: 40 }));
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' } });
      const handler = lake.handler(source);
      await handler({ scheduledTime: '2026-01-02T00:00:00Z' }, context(SAFETY_MS + 1_000));
      const [message] = await lake.nextMessages();
      await handler(sqsEvent([message]), context(SAFETY_MS + 1_000));
      // The same message again (its visibility timed out before the delete, say).
      const redelivered = await handler(sqsEvent([message]), context(SAFETY_MS + 1_000));
      expect(redelivered).toEqual({ completed: [], batchItemFailures: [] });
      await lake.delete([message]);
      await lake.collect(handler, { tick: { scheduledTime: '2026-01-02T00:00:00Z' }, budgetMs: SAFETY_MS + 1_000 });
      await lake.expectExactlyOnce();
    }));

  it('lets only one of two concurrent copies of a continuation run', () =>
    withLake(async (lake) => {
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' } });
      lake.api.setFaults(() => ({ kind: 'delay', ms: 20 }));
      await lake.handler(source)({ scheduledTime: '2026-01-02T00:00:00Z' }, context(SAFETY_MS + 300));
      const [message] = await lake.nextMessages();
      const [a, b] = await Promise.all([lake.handler(source)(sqsEvent([message]), context(60_000)), lake.handler(source)(sqsEvent([message]), context(60_000))]);
      await lake.delete([message]);
      expect(a.completed.length + b.completed.length).toBe(1);
      expect(await lake.nextMessages()).toEqual([]);
      await lake.expectExactlyOnce();
    }));
});

describe('partial batch failures', () => {
  it('reports only the continuation it could not start, acknowledging the rest', () =>
    withLake(async (lake) => {
      lake.api.setFaults(() => ({ kind: 'delay', ms: 40 }));
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' } });
      const handler = lake.handler(source);
      await handler(FIRST_WINDOW_TICK, context(SAFETY_MS + 300));
      const [continuation] = await lake.nextMessages();
      const malformed = { MessageId: 'malformed', ReceiptHandle: 'r', Body: 'not json' };
      // Less time left than the safety margin: too little to start the run.
      const result = await handler(sqsEvent([continuation, malformed]), context(SAFETY_MS - 500));
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: continuation.MessageId }]);
      expect((await lake.nextMessages(lake.dlqUrl)).map((m) => m.Body)).toEqual(['not json']);
      // Redelivered with time to spare, the same message finishes the run.
      await handler(sqsEvent([continuation]), context(60_000));
      await lake.delete([continuation]);
      await lake.collect(handler);
      await lake.expectExactlyOnce();
    }));
});

describe('a crash between writing a part and committing its checkpoint', () => {
  it('replaces the orphan part under the same key when the run is taken over', () =>
    withLake(async (lake) => {
      const source = demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' }, batching: { maxPartRecords: 50 } });
      // The "process" dies right after part 2 is written: every later AWS call of this client fails.
      const dying = new (world.s3.constructor as typeof import('@aws-sdk/client-s3').S3Client)(world.aws.clientConfig);
      let dead = false;
      dying.middlewareStack.add(
        (next, ctx) => async (args) => {
          if (dead) throw new Error('process died');
          const result = await next(args);
          const input = args.input as { Key?: string };
          if (ctx.commandName === 'PutObjectCommand' && input.Key?.endsWith('part-000002.jsonl.gz')) dead = true;
          return result;
        },
        { step: 'initialize', name: 'crashAfterPart2' },
      );
      const crashing = lake.handler(source, { s3: dying });
      await expect(crashing({ scheduledTime: '2026-01-02T00:00:00Z' }, context(60_000))).rejects.toThrow(/process died/);
      dying.destroy();
      const orphan = await lake.object('demo/nfe_invoice/ingest_date=2026-01-01/run=20260101T000000Z-20260102T000000Z.part-000002.jsonl.gz');
      expect(orphan.length).toBeGreaterThan(0);
      const stuck = await checkpointOf(lake, RUN_ID);
      expect(stuck.parts).toHaveLength(2);
      expect(stuck.status).toBe('running');

      // While the dead invocation's lease lasts, the schedule leaves the run alone...
      const healthy = lake.handler(source);
      expect((await healthy({ scheduledTime: '2026-01-02T01:00:00Z' }, context(60_000))).completed).toEqual([]);
      // ...and once it has run out, takes it over from the checkpoint.
      const later = lake.handler(source, { now: () => Date.parse(stuck.leaseUntil) + 1 });
      const result = await later({ scheduledTime: '2026-01-02T01:00:00Z' }, context(60_000));
      expect(lake.api.served.size).toBe(288);
      expect(result.completed).toHaveLength(1);
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest.parts.map((p) => p.key.split('/').pop())).toEqual([0, 1, 2, 3, 4, 5].map((n) => `run=20260101T000000Z-20260102T000000Z.part-00000${n}.jsonl.gz`));
    }));
});

describe('poison runs', () => {
  it('fails loudly after retries with source, URL and page, parks the run in the DLQ, and resumes on redrive', () =>
    withLake(async (lake) => {
      lake.api.setFaults(({ url }) => (url.searchParams.get('page') === '3' ? { kind: 'truncate' } : undefined));
      const handler = lake.handler(demoSource(lake.api, 'page_number', { http: { maxRetries: 2, backoffBaseMs: 5, backoffMaxMs: 20, requestsPerSecond: 1000 } }));
      await lake.collect(handler);
      expect(await lake.manifests()).toEqual([]);
      const [dead] = await lake.nextMessages(lake.dlqUrl);
      const reason = dead.MessageAttributes!.reason.StringValue!;
      expect(reason).toMatch(/SourceError: response is not valid JSON .*gave up after 3 attempts \(source demo, page 2, http:\/\/127\.0\.0\.1:\d+\/page_number\/invoices\?.*page=3/);
      const checkpoint = await checkpointOf(lake, RUN_ID);
      expect(checkpoint).toMatchObject({ status: 'failed', failure: { reason } });
      expect(checkpoint.records).toBe(100);

      // The schedule does not touch a failed run.
      expect((await handler({ scheduledTime: '2026-01-03T00:00:00Z' }, context(60_000))).completed).toEqual([]);

      // Fix the source, redrive the dead letter: the run resumes from its checkpoint.
      lake.api.setFaults(undefined);
      const redriven = await handler(sqsEvent([dead]), context(60_000));
      await lake.delete([dead], lake.dlqUrl);
      expect(redriven.completed.map((m) => m.runId)[0]).toBe(RUN_ID);
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest.records).toBe(288);
    }));

  it('sends a malformed continuation to the DLQ with the reason', () =>
    withLake(async (lake) => {
      const handler = lake.handler(demoSource(lake.api, 'page_number'));
      const result = await handler(sqsEvent([{ MessageId: 'bad', ReceiptHandle: 'r', Body: '{"version":1,"run":{}}' }]), context(60_000));
      expect(result.batchItemFailures).toEqual([]);
      const [dead] = await lake.nextMessages(lake.dlqUrl);
      expect(dead.Body).toBe('{"version":1,"run":{}}');
      expect(dead.MessageAttributes!.reason.StringValue).toMatch(/^malformed continuation message: .*run\.source/s);
    }));

  it('fails a 404 at once (no retries) and names the URL', () =>
    withLake(async (lake) => {
      const handler = lake.handler(demoSource(lake.api, 'page_number', { path: '/nope/invoices' }));
      await handler({ scheduledTime: '2026-01-02T00:00:00Z' }, context(60_000));
      expect(lake.api.requests).toBe(1);
      const [dead] = await lake.nextMessages(lake.dlqUrl);
      expect(dead.MessageAttributes!.reason.StringValue).toMatch(/HTTP 404: .* \(source demo, page 0, http:\/\/127\.0\.0\.1:\d+\/nope\/invoices/);
    }));
});

describe('scheduling', () => {
  it('walks the windows due since the high-water mark, then is up to date', () =>
    withLake(async (lake) => {
      const handler = lake.handler(demoSource(lake.api, 'cursor'));
      const first = await handler({ scheduledTime: '2026-01-02T00:00:00Z' }, context(60_000));
      expect(first.completed.map((m) => m.runId)).toEqual([RUN_ID]);
      // Two days later two more windows are due; one tick collects both.
      const second = await handler({ scheduledTime: '2026-01-04T00:00:00Z' }, context(60_000));
      expect(second.completed.map((m) => m.window?.end)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z']);
      expect((await handler({ scheduledTime: '2026-01-04T00:00:00Z' }, context(60_000))).completed).toEqual([]);
      const state = sourceStateSchema.parse(JSON.parse((await lake.object(sourceStateKey('demo', 'nfe_invoice'))).toString()));
      expect(state).toEqual({ version: 1, highWaterMark: '2026-01-04T00:00:00.000Z', activeRun: null });
      const manifests = await lake.expectExactlyOnce();
      expect(manifests.map((m) => m.records)).toEqual([288, 288, 288]);
      expect(manifests.map((m) => m.ingestDate)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    }));
});
