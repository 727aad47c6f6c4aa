import { z } from 'zod';

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
    /** Total the API reported, when it reports one. */
    apiReportedTotal: z.number().int().nonnegative().nullable(),
    /** Pagination stopped before the API's reported total/last page (e.g. the data shifted). */
    endedEarly: z.boolean(),
    continuations: z.number().int().nonnegative(),
  })
  .strict();

export type RunManifest = z.infer<typeof runManifestSchema>;
