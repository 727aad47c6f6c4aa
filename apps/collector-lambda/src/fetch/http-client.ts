import ky from 'ky';
import { HttpConfig } from '@nfe-lake/lake-core';
import { RetryDeferred, SourceError, SourceLocation } from '../errors';
import { Authorize } from './auth';
import { backoffDelayMs, defaultSleep, parseRetryAfterMs, RateLimiter } from './backoff';

/** Thrown by a response parser when a 200 is unusable (bad JSON, missing records path): retried. */
export class InvalidResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResponse';
  }
}

export interface FetchedPage<T> {
  readonly value: T;
  readonly headers: Headers;
  readonly bytes: number;
}

export interface RetryInfo {
  readonly location: SourceLocation;
  readonly attempt: number;
  readonly reason: string;
  readonly delayMs: number;
}

export interface HttpClientOptions {
  readonly source: string;
  readonly http: HttpConfig;
  readonly authorize: Authorize;
  readonly onRetry?: (info: RetryInfo) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505);

type Attempt<T> =
  | { readonly ok: true; readonly page: FetchedPage<T> }
  | { readonly ok: false; readonly reason: string; readonly status?: number; readonly retryAfterMs?: number; readonly permanent?: boolean };

/**
 * GETs pages with ky: per-request timeout, a client-side rate limit, and retries with exponential
 * backoff + full jitter on 408/429/5xx, network errors, timeouts and unusable bodies. `Retry-After`
 * (seconds or HTTP date) is honoured; one longer than `maxInlineRetryAfterSeconds` throws
 * `RetryDeferred` so the run continues later from a delayed message instead of sleeping.
 */
export class HttpClient {
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpClientOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.limiter = new RateLimiter(options.http.requestsPerSecond, this.now, this.sleep);
  }

  /**
   * GETs one page. A wait that would end more than `retryBudgetMs` after the first attempt (the
   * invocation's remaining budget) throws `RetryDeferred` too, so a retry never outlives the Lambda.
   */
  async get<T>(url: URL, page: number, parse: (text: string, headers: Headers) => T, retryBudgetMs = Infinity): Promise<FetchedPage<T>> {
    const { http } = this.options;
    const retryDeadline = this.now() + retryBudgetMs;
    const location: SourceLocation = { source: this.options.source, url: url.toString(), page };
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire();
      const result = await this.attempt(url, parse);
      if (result.ok) return result.page;
      if (result.permanent) throw new SourceError(result.reason, location, result.status);
      if (attempt >= http.maxRetries) {
        throw new SourceError(`${result.reason}; gave up after ${attempt + 1} attempts`, location, result.status);
      }
      const delayMs = result.retryAfterMs ?? backoffDelayMs(attempt, http.backoffBaseMs, http.backoffMaxMs, this.options.random);
      if (delayMs > http.maxInlineRetryAfterSeconds * 1000 || this.now() + delayMs > retryDeadline) {
        throw new RetryDeferred(Math.max(1, Math.ceil(delayMs / 1000)), location);
      }
      this.options.onRetry?.({ location, attempt: attempt + 1, reason: result.reason, delayMs });
      await this.sleep(delayMs);
    }
  }

  private async attempt<T>(url: URL, parse: (text: string, headers: Headers) => T): Promise<Attempt<T>> {
    const { http, authorize } = this.options;
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json', ...http.headers };
    authorize(target, headers);
    let response: Response;
    let text: string;
    try {
      response = await ky.get(target, {
        headers,
        timeout: http.timeoutMs,
        // ky's timeout ends at the response headers; this signal also bounds reading the body.
        signal: AbortSignal.timeout(http.timeoutMs),
        retry: 0,
        throwHttpErrors: false,
      });
      text = await response.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return { ok: false, reason: `network error: ${(e as Error).name}: ${(e as Error).message}${cause ? ` (${cause})` : ''}` };
    }
    if (!response.ok) {
      const reason = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      if (!RETRYABLE_STATUS(response.status)) return { ok: false, reason, status: response.status, permanent: true };
      return { ok: false, reason, status: response.status, retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), this.now()) };
    }
    try {
      return { ok: true, page: { value: parse(text, response.headers), headers: response.headers, bytes: Buffer.byteLength(text) } };
    } catch (e) {
      if (e instanceof InvalidResponse) return { ok: false, reason: e.message, status: response.status };
      throw e;
    }
  }
}
