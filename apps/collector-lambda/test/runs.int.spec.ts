import { Metrics } from '@aws-lambda-powertools/metrics';
import { SAFETY_MS } from '../src/run/budget';
import { demoSource, Lake, startWorld, World } from './harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const SPARSE = { generator: { spacingSeconds: 300 }, count: 600 };

async function withLake(test: (lake: Lake) => Promise<void>): Promise<void> {
  const lake = await Lake.create(world, SPARSE);
  try {
    await test(lake);
  } finally {
    await lake.close();
  }
}

describe('runs', () => {
  it('collects a full snapshot of a source without an incremental window', () =>
    withLake(async (lake) => {
      const source = demoSource(lake.api, 'page_number', { path: '/all/invoices', pagination: { type: 'none' }, incremental: undefined });
      const [result] = await lake.collect(lake.handler(source), { tick: { scheduledTime: '2026-03-01T02:00:00Z' } });
      expect(result.completed).toHaveLength(1);
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest).toMatchObject({ runId: 'snapshot-20260301T020000Z', ingestDate: '2026-03-01', records: 600, pages: 1, firstCursor: null, apiReportedTotal: null });
      expect(manifest.window).toBeUndefined();
      // The same scheduled time again (a Scheduler retry) does not collect twice.
      expect((await lake.handler(source)({ scheduledTime: '2026-03-01T02:00:00Z' }, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r' })).completed).toEqual([]);
    }));

  it('hands off with a backoff delay when S3 fails mid-run, and resumes from the checkpoint', () =>
    withLake(async (lake) => {
      const flaky = new (world.s3.constructor as typeof import('@aws-sdk/client-s3').S3Client)(world.aws.clientConfig);
      let failures = 0;
      flaky.middlewareStack.add(
        (next, ctx) => async (args) => {
          const key = (args.input as { Key?: string }).Key ?? '';
          if (ctx.commandName === 'PutObjectCommand' && key.endsWith('part-000001.jsonl.gz') && failures++ === 0) throw new Error('SlowDown: injected');
          return next(args);
        },
        { step: 'initialize', name: 'failOnce' },
      );
      try {
        const source = demoSource(lake.api, 'cursor', { batching: { maxPartRecords: 100 } });
        const results = await lake.collect(lake.handler(source, { s3: flaky }));
        expect(failures).toBe(2);
        expect(results.length).toBeGreaterThanOrEqual(2);
        const [manifest] = await lake.expectExactlyOnce();
        expect(manifest.records).toBe(288);
      } finally {
        flaky.destroy();
      }
    }));

  it('publishes Powertools metrics for records, pages, retries, bytes and continuations', () =>
    withLake(async (lake) => {
      const emitted: Record<string, number>[] = [];
      const write = process.stdout.write.bind(process.stdout);
      const capture = (chunk: string | Uint8Array) => {
        const text = chunk.toString();
        if (text.includes('"_aws"')) emitted.push(JSON.parse(text));
        else write(chunk);
        return true;
      };
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
      const saved = process.env.POWERTOOLS_METRICS_DISABLED;
      delete process.env.POWERTOOLS_METRICS_DISABLED;
      try {
        lake.api.setFaults(({ requestNo }) => (requestNo === 2 ? { kind: 'status', status: 503 } : { kind: 'delay', ms: 80 }));
        const metrics = new Metrics({ namespace: 'test', serviceName: 'collector-test' });
        await lake.collect(lake.handler(demoSource(lake.api, 'page_number', { pagination: { type: 'page_number', pageSize: 10, totalRecordsPath: 'total' } }), { metrics }), {
          budgetMs: SAFETY_MS + 2_000,
        });
      } finally {
        process.env.POWERTOOLS_METRICS_DISABLED = saved;
        spy.mockRestore();
      }
      const total = (name: string) => emitted.reduce((sum, e) => sum + [e[name] ?? 0].flat().reduce((a: number, b: number) => a + b, 0), 0);
      const [manifest] = await lake.expectExactlyOnce();
      expect(total('Records')).toBe(288);
      expect(total('Pages')).toBe(29);
      expect(total('Retries')).toBe(1);
      expect(total('Bytes')).toBe(manifest.bytes);
      expect(total('Continuations')).toBe(manifest.continuations);
      expect(manifest.continuations).toBeGreaterThan(0);
      // Calls: one per page, the retry, and at most one unread prefetch per hand-off.
      expect(lake.api.requests).toBeLessThanOrEqual(29 + 1 + manifest.continuations);
    }));
});
