import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { loadContractFile, parseSourceConfig } from '@nfe-lake/lake-core';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { JsonStore } from '../src/checkpoint/json-store';
import { RetryDeferred } from '../src/errors';
import { HttpClient } from '../src/fetch/http-client';
import { Budget } from '../src/run/budget';
import { MAX_STALLS, RunCollector, StalledRunError } from '../src/run/collector';
import { newCheckpoint, planRun } from '../src/run/plan';

// Error branch without AWS: a run that keeps deferring without fetching a page becomes poison.
describe('RunCollector stalls', () => {
  it('throws StalledRunError once hand-offs without a page exceed MAX_STALLS', async () => {
    const source = parseSourceConfig({
      name: 'api',
      dataset: 'nfe_invoice',
      baseUrl: 'https://x.example',
      path: '/i',
      pagination: { type: 'none' },
      incremental: { cursorField: 'issued_at', initialValue: '2026-01-01T00:00:00Z', lagSeconds: 0 },
    });
    const checkpoint = { ...newCheckpoint(source, planRun(source, null, new Date('2026-01-03T00:00:00Z'))!, 0), stalls: MAX_STALLS };
    const http = { get: () => Promise.reject(new RetryDeferred(3600, { source: 'api', url: 'https://x.example/i', page: 0 })) } as unknown as HttpClient;
    const collector = new RunCollector(
      {
        source,
        contract: loadContractFile(join(__dirname, '../../../examples/nfe-invoice/contract.ts')),
        s3: {} as S3Client,
        store: {} as JsonStore,
        http,
        budget: new Budget(),
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'test' }),
        now: Date.now,
        remainingMs: () => 60_000,
      },
      { value: checkpoint, etag: '"e"' },
    );
    await expect(collector.collect()).rejects.toThrow(StalledRunError);
    await expect(collector.collect()).rejects.toThrow(`made no progress in ${MAX_STALLS + 2} consecutive invocations`);
  });
});
