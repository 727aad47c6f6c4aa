import { backoffDelayMs, parseRetryAfterMs, RateLimiter } from '../src/fetch/backoff';

describe('backoffDelayMs (exponential, full jitter)', () => {
  it('grows the ceiling by powers of two and caps it', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, 100, 1000, top))).toEqual([99, 199, 399, 799, 999]);
  });

  it('spreads delays over [0, ceiling)', () => {
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(400);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, and a past date as 0', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unparseable value', () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('spaces requests 1000/rps ms apart and lets an idle limiter go at once', async () => {
    let clock = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(4, () => clock, async (ms) => {
      waits.push(ms);
      clock += ms;
    });
    for (let i = 0; i < 4; i++) await limiter.acquire();
    expect(waits).toEqual([250, 250, 250]);
    clock += 10_000;
    await limiter.acquire();
    expect(waits).toHaveLength(3);
  });
});
