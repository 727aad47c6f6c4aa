import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MANIFEST_PREFIX, parseSourceConfig, RunManifest, runManifestSchema, SourceConfig, SourceConfigInput } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { DemoApi, startDemoApi, DemoApiOptions } from '@nfe-lake/demo-api';
import { CollectorDeps, createHandler, InvocationResult, ScheduleEvent } from '../src/handler';
import { LocalEventSource, localContext, sqsEvent } from '../src/local/local-lambda';

// Quiet tests: no EMF metric lines on stdout, no SDK notice about Node 20.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const WINDOW_START = '2026-01-01T00:00:00Z';

/** Routes and query names of the demo API, per pagination style. */
export const STYLES = {
  page_number: { path: '/page/invoices', recordSelector: 'data', pagination: { type: 'page_number', pageSize: 50, totalRecordsPath: 'total' } },
  offset: { path: '/offset/invoices', recordSelector: 'data', pagination: { type: 'offset', limit: 50, totalRecordsPath: 'total' } },
  cursor: {
    path: '/cursor/invoices',
    recordSelector: 'data',
    pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: 50, totalRecordsPath: 'total' },
  },
  link_header: { path: '/link/invoices', query: { per_page: '50' }, recordSelector: '$', pagination: { type: 'link_header', totalRecordsHeader: 'x-total-count' } },
} as const;
export type Style = keyof typeof STYLES;

/** A source over the demo API: one day of invoices (30 s apart: 2880 a day) in one window. */
export function demoSource(api: DemoApi, style: Style, overrides: Partial<SourceConfigInput> = {}): SourceConfig {
  return parseSourceConfig({
    name: 'demo',
    dataset: 'nfe_invoice',
    baseUrl: api.url,
    ...STYLES[style],
    incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: WINDOW_START, windowSeconds: 86_400, lagSeconds: 0 },
    http: { requestsPerSecond: 1000, backoffBaseMs: 5, backoffMaxMs: 50, timeoutMs: 2000 },
    ...overrides,
  });
}

/** The schedule tick that covers exactly the first window. */
export const FIRST_WINDOW_TICK: ScheduleEvent = { scheduledTime: '2026-01-02T00:00:00Z' };

export interface World {
  readonly aws: LocalAws;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly secrets: CollectorDeps['secrets'];
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const aws = await startLocalAws();
  const s3 = new S3Client(aws.clientConfig);
  const sqs = new SQSClient(aws.clientConfig);
  const secrets = { secretsManager: new SecretsManagerClient(aws.clientConfig), ssm: new SSMClient(aws.clientConfig) };
  return {
    aws,
    s3,
    sqs,
    secrets,
    async close() {
      for (const c of [s3, sqs, secrets.secretsManager, secrets.ssm]) c.destroy();
      await aws.stop();
    },
  };
}

let counter = 0;

/** One test's bucket, queues and demo API, and a way to run the collector the way Lambda would. */
export class Lake {
  readonly bucket: string;
  queueUrl = '';
  dlqUrl = '';
  api!: DemoApi;
  private constructor(
    readonly world: World,
    readonly name: string,
  ) {
    this.bucket = `raw-${name}`;
  }

  static async create(world: World, api: DemoApiOptions = {}): Promise<Lake> {
    const lake = new Lake(world, `t${++counter}-${process.pid}`);
    await world.s3.send(new CreateBucketCommand({ Bucket: lake.bucket }));
    lake.queueUrl = (await world.sqs.send(new CreateQueueCommand({ QueueName: `cont-${lake.name}` }))).QueueUrl!;
    lake.dlqUrl = (await world.sqs.send(new CreateQueueCommand({ QueueName: `dlq-${lake.name}` }))).QueueUrl!;
    lake.api = await startDemoApi({ count: 2880, trackServed: true, ...api });
    return lake;
  }

  handler(source: SourceConfig, overrides: Partial<CollectorDeps> = {}) {
    return createHandler({
      now: testClock,
      source,
      bucket: this.bucket,
      continuationQueueUrl: this.queueUrl,
      deadLetterQueueUrl: this.dlqUrl,
      s3: this.world.s3,
      sqs: this.world.sqs,
      secrets: this.world.secrets,
      logger: new Logger({ serviceName: 'collector-test', logLevel: (process.env.TEST_LOG_LEVEL ?? 'SILENT') as 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'collector-test' }),
      ...overrides,
    });
  }

  /** Receives what is on a queue now. */
  receive(queueUrl = this.queueUrl): Promise<Message[]> {
    return new LocalEventSource(this.world.sqs, queueUrl).receive();
  }

  /** Visible messages, or delayed ones once visible; [] when the queue is empty. */
  nextMessages(queueUrl = this.queueUrl): Promise<Message[]> {
    return new LocalEventSource(this.world.sqs, queueUrl).next();
  }

  delete(messages: readonly Message[], queueUrl = this.queueUrl): Promise<void> {
    return new LocalEventSource(this.world.sqs, queueUrl).delete(messages);
  }

  /**
   * Runs the collector like Lambda + SQS would: the schedule tick, then every continuation until
   * the queue stays empty. Each invocation gets `budgetMs`. Returns the invocation results.
   */
  async collect(handler: ReturnType<Lake['handler']>, options: { budgetMs?: number; tick?: ScheduleEvent } = {}): Promise<InvocationResult[]> {
    const budgetMs = options.budgetMs ?? 60_000;
    const results = [await handler(options.tick ?? FIRST_WINDOW_TICK, context(budgetMs))];
    await new LocalEventSource(this.world.sqs, this.queueUrl).drain(handler, budgetMs, (r) => void results.push(r), 200);
    return results;
  }

  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.world.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(res.Contents ?? []).map((o) => o.Key!));
      token = res.NextContinuationToken;
    } while (token);
    return keys.sort();
  }

  async object(key: string): Promise<Buffer> {
    const res = await this.world.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  async manifests(): Promise<RunManifest[]> {
    const keys = await this.keys(MANIFEST_PREFIX);
    return Promise.all(keys.map(async (k) => runManifestSchema.parse(JSON.parse((await this.object(k)).toString()))));
  }

  /** Invoice ids in every raw part in the bucket, in order, duplicates kept. */
  async rawIds(): Promise<string[]> {
    const keys = (await this.keys()).filter((k) => k.endsWith('.jsonl.gz'));
    const ids: string[] = [];
    for (const key of keys) {
      for (const line of gunzipSync(await this.object(key)).toString().split('\n')) if (line) ids.push(JSON.parse(line).invoice_id);
    }
    return ids;
  }

  /**
   * The guarantee, checked against what is in S3: every id the API served is in exactly one raw
   * part, nothing else is, the manifests list exactly the parts that exist, and their counts match.
   */
  async expectExactlyOnce(): Promise<RunManifest[]> {
    const ids = await this.rawIds();
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(this.api.served));
    const manifests = await this.manifests();
    const listed = manifests.flatMap((m) => m.parts.map((p) => p.key)).sort();
    expect(listed).toEqual((await this.keys()).filter((k) => k.endsWith('.jsonl.gz')));
    expect(manifests.reduce((n, m) => n + m.records, 0)).toBe(ids.length);
    for (const m of manifests) expect(m.parts.reduce((n, p) => n + p.records, 0)).toBe(m.records);
    return manifests;
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}

const CLOCK_OFFSET = Date.now() - Date.parse(FIRST_WINDOW_TICK.scheduledTime!);

/** The collector's clock in tests: real time, but starting at the first window's tick (so no backfill of the real present). */
export const testClock = () => Date.now() - CLOCK_OFFSET;

export const context = localContext;
export { sqsEvent };
