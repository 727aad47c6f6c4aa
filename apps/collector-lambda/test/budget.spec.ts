import { Budget, handoffReserveMs, nextPageReserveMs } from '../src/run/budget';

describe('budget maths', () => {
  const base = { recentPageMs: [], flushBytesPerMs: undefined, commitMs: undefined, pendingBytes: 0, safetyMs: 3000 };

  it('reserves flush, two commits and the safety margin for a hand-off', () => {
    expect(handoffReserveMs({ ...base, pendingBytes: 0 })).toBe(0 + 2 * 500 + 3000);
    expect(handoffReserveMs({ ...base, pendingBytes: 10 * 1024 * 1024, flushBytesPerMs: 1024, commitMs: 100 })).toBe(10 * 1024 + 200 + 3000);
  });

  it('takes the slowest recent page, or 2 s before any page', () => {
    expect(nextPageReserveMs({ ...base, recentPageMs: [] })).toBe(2000 + 4000);
    expect(nextPageReserveMs({ ...base, recentPageMs: [100, 900, 200] })).toBe(900 + 4000);
  });

  it('learns from this invocation and stops before the remaining time would not cover a page', () => {
    const b = new Budget(1000);
    b.recordCommit(50);
    b.recordFlush(1_000_000, 100); // 10 kB/ms
    for (const ms of [10, 20, 300, 20, 20]) b.recordPage(ms);
    // slowest page 300 + flush 1 MB/10 kB/ms = 100 + commits 100 + safety 1000
    expect(b.hasTimeForPage(1501, 1_000_000)).toBe(true);
    expect(b.hasTimeForPage(1500, 1_000_000)).toBe(false);
    for (let i = 0; i < 3; i++) b.recordPage(20); // the 300 ms page leaves the five recent pages
    expect(b.hasTimeForPage(1300, 1_000_000)).toBe(true);
    expect(b.retryBudgetMs(5000, 0)).toBe(5000 - 100 - 1000);
  });

  it('keeps the slower flush rate estimate', () => {
    const b = new Budget(0);
    b.recordFlush(1000, 1); // 1000 B/ms
    b.recordFlush(100, 1); // 100 B/ms: estimate drops to min(100, 550)
    expect(b.retryBudgetMs(10_000, 10_000)).toBe(10_000 - 100 - 1000);
  });
});
