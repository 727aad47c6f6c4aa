import { RunRef, SourceConfig, windowRunId } from '@nfe-lake/lake-core';
import { Checkpoint } from '../checkpoint/state';
import { initialPageState } from '../page/pagination';

export interface RunPlan {
  readonly ref: RunRef;
  readonly window: { readonly start: string; readonly end: string } | null;
  /** The source's high-water mark once this run completes. */
  readonly highWaterMark: string;
}

const compact = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The incremental settings cannot make progress. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/**
 * The next run of a source at `at`, or undefined when none is due.
 * Incremental: the window of `windowSeconds` that starts at the high-water mark (minus lookback),
 * due once it ends `lagSeconds` before `at`. Windows depend only on the config and the mark, never
 * on when the schedule fires, so a run id (the window) is the same whoever plans it.
 * Otherwise: one full snapshot per scheduled time.
 */
export function planRun(source: SourceConfig, highWaterMark: string | null, at: Date): RunPlan | undefined {
  const inc = source.incremental;
  if (!inc) {
    if (highWaterMark !== null && Date.parse(highWaterMark) >= at.getTime()) return undefined;
    const ref = { source: source.name, dataset: source.dataset, ingestDate: at.toISOString().slice(0, 10), runId: `snapshot-${compact(at)}` };
    return { ref, window: null, highWaterMark: at.toISOString() };
  }
  if (inc.lookbackSeconds >= inc.windowSeconds) {
    throw new PlanError(`source ${source.name}: incremental.lookbackSeconds (${inc.lookbackSeconds}) must be less than windowSeconds (${inc.windowSeconds}), or windows never advance`);
  }
  const start = highWaterMark === null ? Date.parse(inc.initialValue) : Date.parse(highWaterMark) - inc.lookbackSeconds * 1000;
  const end = start + inc.windowSeconds * 1000;
  if (end > at.getTime() - inc.lagSeconds * 1000) return undefined;
  const [s, e] = [new Date(start), new Date(end)];
  return {
    ref: { source: source.name, dataset: source.dataset, ingestDate: s.toISOString().slice(0, 10), runId: windowRunId(s, e) },
    window: { start: s.toISOString(), end: e.toISOString() },
    highWaterMark: e.toISOString(),
  };
}

export function newCheckpoint(source: SourceConfig, plan: RunPlan, now: number): Checkpoint {
  return {
    version: 1,
    ...plan.ref,
    window: plan.window,
    highWaterMark: plan.highWaterMark,
    startedAt: new Date(now).toISOString(),
    status: 'running',
    seq: 0,
    leaseUntil: new Date(now).toISOString(),
    failure: null,
    page: initialPageState(source.pagination),
    nextPart: 0,
    parts: [],
    records: 0,
    invalidRecords: 0,
    duplicatesDropped: 0,
    bytes: 0,
    firstCursor: null,
    lastCursor: null,
    apiReportedTotal: null,
    continuations: 0,
    stalls: 0,
    recentKeys: [],
  };
}
