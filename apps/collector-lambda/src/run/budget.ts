/** Kept back from every estimate: clock skew, GC pauses, the SQS send. */
export const SAFETY_MS = 3_000;

export interface BudgetInputs {
  /** Durations of the most recent pages, retries and waits included. */
  readonly recentPageMs: readonly number[];
  /** Observed S3 write throughput, bytes per ms (undefined before the first flush). */
  readonly flushBytesPerMs: number | undefined;
  /** Slowest checkpoint commit seen (undefined before the first). */
  readonly commitMs: number | undefined;
  /** Bytes that the next flush has to write. */
  readonly pendingBytes: number;
  readonly safetyMs: number;
}

const DEFAULT_PAGE_MS = 2_000;
const DEFAULT_FLUSH_BYTES_PER_MS = 5 * 1024; // 5 MB/s
const DEFAULT_COMMIT_MS = 500;

/** Time to hand off cleanly from here: flush what is buffered, commit, send the continuation. */
export function handoffReserveMs(b: Omit<BudgetInputs, 'recentPageMs'>): number {
  const flushMs = b.pendingBytes / (b.flushBytesPerMs ?? DEFAULT_FLUSH_BYTES_PER_MS);
  return Math.ceil(flushMs + 2 * (b.commitMs ?? DEFAULT_COMMIT_MS) + b.safetyMs);
}

/**
 * Time the next page needs before we must stop: the slowest recent page (a pessimistic
 * estimate, since one slow page is the thing that overruns), plus the hand-off reserve.
 */
export function nextPageReserveMs(b: BudgetInputs): number {
  const pageMs = b.recentPageMs.length ? Math.max(...b.recentPageMs) : DEFAULT_PAGE_MS;
  return pageMs + handoffReserveMs(b);
}

const RECENT_PAGES = 5;

/** Learns page, flush and commit times within one invocation and answers "is there time for another page?". */
export class Budget {
  private readonly recentPageMs: number[] = [];
  private flushBytesPerMs: number | undefined;
  private commitMs: number | undefined;

  constructor(private readonly safetyMs = SAFETY_MS) {}

  recordPage(ms: number): void {
    this.recentPageMs.push(ms);
    if (this.recentPageMs.length > RECENT_PAGES) this.recentPageMs.shift();
  }

  recordFlush(bytes: number, ms: number): void {
    const rate = bytes / Math.max(ms, 1);
    // The slower of the last and the running estimate: a pessimistic moving figure.
    this.flushBytesPerMs = this.flushBytesPerMs === undefined ? rate : Math.min(rate, (this.flushBytesPerMs + rate) / 2);
  }

  recordCommit(ms: number): void {
    this.commitMs = Math.max(ms, this.commitMs ?? 0);
  }

  hasTimeForPage(remainingMs: number, pendingBytes: number): boolean {
    return remainingMs > nextPageReserveMs(this.inputs(pendingBytes));
  }

  /** How long retries of the next page may take and still leave time to hand off. */
  retryBudgetMs(remainingMs: number, pendingBytes: number): number {
    return remainingMs - handoffReserveMs(this.inputs(pendingBytes));
  }

  private inputs(pendingBytes: number): BudgetInputs {
    return { recentPageMs: this.recentPageMs, flushBytesPerMs: this.flushBytesPerMs, commitMs: this.commitMs, pendingBytes, safetyMs: this.safetyMs };
  }
}
