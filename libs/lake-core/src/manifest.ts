import { z } from 'zod';

/** A size the API reported for a run, in the unit it counts (the totalPages… / totalRecords… fields of pagination). */
export const reportedTotalSchema = z.object({ unit: z.enum(['pages', 'records']), count: z.number().int().nonnegative() }).strict();
export type ReportedTotal = z.infer<typeof reportedTotalSchema>;

/**
 * The run manifest the collector writes once a window is fully collected; emr-trigger keys on it
 * and the Spark job reads its part list. Written to `manifestKey(run)` in the raw bucket.
 */
export const runManifestSchema = z
  .object({
    version: z.literal(1),
    source: z.string(),
    dataset: z.string(),
    runId: z.string(),
    ingestDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    window: z.object({ start: z.string(), end: z.string() }).strict().optional(),
    startedAt: z.string(),
    completedAt: z.string(),
    records: z.number().int().nonnegative(),
    /** Records that failed contract validation in the collector (kept in raw, quarantined by the job). */
    invalidRecords: z.number().int().nonnegative(),
    pages: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    parts: z.array(z.object({ key: z.string(), records: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }).strict()),
    firstCursor: z.string().nullable(),
    lastCursor: z.string().nullable(),
    /** The API's last reported total, when the source config points at one; the run matched it (else it would have failed). */
    apiReportedTotal: reportedTotalSchema.nullable(),
    continuations: z.number().int().nonnegative(),
  })
  .strict();

export type RunManifest = z.infer<typeof runManifestSchema>;
