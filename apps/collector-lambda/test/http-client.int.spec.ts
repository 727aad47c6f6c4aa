import { httpSchema } from '@nfe-lake/lake-core';
import { DemoApi, faultsAt, startDemoApi } from '@nfe-lake/demo-api';
import { RetryDeferred, SourceError } from '../src/errors';
import { HttpClient, RetryInfo } from '../src/fetch/http-client';
import { parsePage } from '../src/page/pagination';

let api: DemoApi;
beforeEach(async () => {
  api = await startDemoApi({ count: 100, apiKey: 'k3y' });
});
afterEach(() => api.close());

const http = (over: object = {}) => httpSchema.parse({ requestsPerSecond: 1000, backoffBaseMs: 5, backoffMaxMs: 20, ...over });
const withKey = (url: URL) => url.searchParams.set('api_key', 'k3y');
const page = (n = 1) => new URL(`${api.url}/page_number/invoices?page=${n}&page_size=10`);
const parse = (text: string) => parsePage(text, 'data');

describe('HttpClient', () => {
  it('fails a non-retryable status at once, with source, page and URL', async () => {
    const client = new HttpClient({ source: 'demo', http: http(), authorize: () => undefined });
    const error = await client.get(page(), 0, parse).catch((e) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^HTTP 401: .*missing or wrong API key.* \(source demo, page 0, http:\/\/127\.0\.0\.1:\d+\/page_number\/invoices\?page=1&page_size=10\)$/);
    expect(api.requests).toBe(1);
  });

  it('gives up after maxRetries with the last reason, backing off between attempts', async () => {
    api.setFaults(() => ({ kind: 'status', status: 503 }));
    const retries: RetryInfo[] = [];
    const client = new HttpClient({ source: 'demo', http: http({ maxRetries: 2 }), authorize: withKey, onRetry: (r) => retries.push(r) });
    await expect(client.get(page(4), 3, parse)).rejects.toThrow(/^HTTP 503: .*gave up after 3 attempts \(source demo, page 3, .*page=4/);
    expect(api.requests).toBe(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries.every((r) => r.delayMs >= 0 && r.delayMs < 20)).toBe(true);
  });

  it('never puts the API key of a query-string auth into errors', async () => {
    api.setFaults(() => ({ kind: 'status', status: 400 }));
    const client = new HttpClient({ source: 'demo', http: http(), authorize: withKey });
    await expect(client.get(page(), 0, parse)).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('k3y') }));
  });

  it('defers a Retry-After longer than maxInlineRetryAfterSeconds instead of sleeping', async () => {
    api.setFaults(faultsAt({ 1: { kind: 'status', status: 429, retryAfter: '120' } }));
    const client = new HttpClient({ source: 'demo', http: http({ maxInlineRetryAfterSeconds: 20 }), authorize: withKey });
    const error = await client.get(page(), 0, parse).catch((e) => e);
    expect(error).toBeInstanceOf(RetryDeferred);
    expect(error.retryAfterSeconds).toBe(120);
    expect(api.requests).toBe(1);
  });

  it('defers a wait that would outlast the retry budget (the Lambda deadline)', async () => {
    api.setFaults(faultsAt({ 1: { kind: 'status', status: 503, retryAfter: '3' } }));
    const client = new HttpClient({ source: 'demo', http: http(), authorize: withKey });
    const started = Date.now();
    await expect(client.get(page(), 0, parse, 1000)).rejects.toThrow(RetryDeferred);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds to the client-side rate limit', async () => {
    const client = new HttpClient({ source: 'demo', http: http({ requestsPerSecond: 20 }), authorize: withKey });
    const started = Date.now();
    for (let i = 1; i <= 5; i++) await client.get(page(i), i - 1, parse);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 50 - 5);
  });
});
