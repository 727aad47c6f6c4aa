/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^attempt)]. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` in milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 10.2.3).
 * Undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always carries a time of day; Date.parse alone would take "-5" for a year.
  const at = /\d{2}:\d{2}:\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Spaces requests `1000 / requestsPerSecond` ms apart (a client-side rate limit). */
export class RateLimiter {
  private nextAt = 0;
  private readonly intervalMs: number;

  constructor(
    requestsPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {
    this.intervalMs = 1000 / requestsPerSecond;
  }

  async acquire(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
