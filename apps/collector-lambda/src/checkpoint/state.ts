import { z } from 'zod';
import { reportedTotalSchema, RunRef } from '@nfe-lake/lake-core';
import { pageStateSchema } from '../page/pagination';

const iso = z.iso.datetime({ offset: true });
const partSchema = z.object({ key: z.string(), records: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }).strict();

/**
 * A run's checkpoint (lake-core `checkpointKey(run)`): where pagination stands and what is durably
 * written. Committed only after the parts it lists are in S3. Every commit is a conditional write
 * on the previous ETag and bumps `seq`, which makes the checkpoint a lease: one writer at a time.
 */
export const checkpointSchema = z
  .object({
    version: z.literal(1),
    source: z.string(),
    dataset: z.string(),
    runId: z.string(),
    ingestDate: z.string(),
    window: z.object({ start: iso, end: iso }).strict().nullable(),
    /** The source's high-water mark once this run completes (window end, or snapshot time). */
    highWaterMark: iso,
    startedAt: iso,
    status: z.enum(['running', 'complete', 'failed']),
    /** Bumped by every commit; a continuation message carries the seq it may claim. */
    seq: z.number().int().nonnegative(),
    /** Until then the run belongs to its current holder (or to the pending continuation message). */
    leaseUntil: iso,
    failure: z.object({ reason: z.string(), at: iso }).strict().nullable(),
    page: pageStateSchema,
    /** Number of the next raw part. */
    nextPart: z.number().int().nonnegative(),
    parts: z.array(partSchema),
    records: z.number().int().nonnegative(),
    invalidRecords: z.number().int().nonnegative(),
    duplicatesDropped: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    firstCursor: z.string().nullable(),
    lastCursor: z.string().nullable(),
    apiReportedTotal: reportedTotalSchema.nullable(),
    continuations: z.number().int().nonnegative(),
    /** Consecutive hand-offs without a page fetched (long Retry-After, errors): poison past a limit. */
    stalls: z.number().int().nonnegative(),
    /** Primary keys of the last pages, to drop records a shifting offset API serves twice. */
    recentKeys: z.array(z.array(z.string())).max(2),
  })
  .strict();
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Per-source state (lake-core `sourceStateKey`): the incremental high-water mark and the open run. */
export const sourceStateSchema = z
  .object({
    version: z.literal(1),
    /** End of the last completed window. */
    highWaterMark: iso.nullable(),
    activeRun: z.object({ source: z.string(), dataset: z.string(), ingestDate: z.string(), runId: z.string() }).strict().nullable(),
  })
  .strict();
export type SourceState = z.infer<typeof sourceStateSchema>;

/** The SQS message that continues a run in a fresh invocation. */
export const continuationSchema = z
  .object({
    version: z.literal(1),
    run: z.object({ source: z.string(), dataset: z.string(), ingestDate: z.string(), runId: z.string() }).strict(),
    /** The checkpoint seq this message may claim; any other seq means a duplicate or stale message. */
    seq: z.number().int().nonnegative(),
    reason: z.enum(['deadline', 'retry-after', 'error', 'resume']),
    /** Do not start before this instant (Retry-After beyond SQS's 15-minute maximum delay). */
    notBefore: iso.nullable(),
    /** Why the run stopped, on messages sent to the dead-letter queue. */
    failure: z.string().optional(),
  })
  .strict();
export type Continuation = z.infer<typeof continuationSchema>;

export const runRefOf = (c: Pick<Checkpoint, 'source' | 'dataset' | 'ingestDate' | 'runId'>): RunRef => ({
  source: c.source,
  dataset: c.dataset,
  ingestDate: c.ingestDate,
  runId: c.runId,
});
