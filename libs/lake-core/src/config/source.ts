import { z } from 'zod';
import { scheduleExpressionSchema } from './schedule';

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const duration = z.number().int().nonnegative();

/** Where a secret comes from. Plain environment variables are deliberately not an option. */
export const secretRefSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('secretsmanager'), secretId: z.string().min(1), jsonKey: z.string().min(1).optional() }).strict(),
  z.object({ from: z.literal('ssm'), parameterName: z.string().startsWith('/') }).strict(),
]);

export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('api_key'), in: z.enum(['header', 'query']), name: z.string().min(1), secret: secretRefSchema }).strict(),
  z.object({ type: z.literal('bearer'), secret: secretRefSchema }).strict(),
]);

/** Dot path into a JSON response, e.g. `data.items`; `$` is the whole body. */
const jsonPath = z.string().regex(/^(\$|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$/, 'a dot path like "data.items" or "$"');

/** A field that was renamed: its old name fails with what replaced it. */
const renamed = (fix: string) => z.never({ error: `renamed: ${fix}` }).optional();

/*
 * Totals are in one unit each (an API reports one or the other: set one). The collector checks
 * them: a run served more than the total, or whose pagination ends before it, fails instead of
 * completing.
 */
export const paginationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('page_number'),
      pageParam: z.string().default('page'),
      sizeParam: z.string().default('page_size'),
      pageSize: z.number().int().positive().max(10_000).default(100),
      firstPage: z.number().int().nonnegative().default(1),
      /** Path of the number of pages the API reports; pagination stops after that many pages. */
      totalPagesPath: jsonPath.optional(),
      /** Path of the number of records the API reports; pagination stops once that many are served. */
      totalRecordsPath: jsonPath.optional(),
      totalPath: renamed('use totalPagesPath for a total-pages field or totalRecordsPath for a total-records field'),
    })
    .strict()
    .refine((p) => !(p.totalPagesPath && p.totalRecordsPath), { error: 'set totalPagesPath or totalRecordsPath, not both', path: ['totalRecordsPath'] }),
  z
    .object({
      type: z.literal('offset'),
      offsetParam: z.string().default('offset'),
      limitParam: z.string().default('limit'),
      limit: z.number().int().positive().max(10_000).default(100),
      /** Path of the number of records the API reports; pagination stops at that offset. */
      totalRecordsPath: jsonPath.optional(),
      totalPath: renamed('use totalRecordsPath (offsets count records)'),
    })
    .strict(),
  z
    .object({
      type: z.literal('cursor'),
      cursorParam: z.string().default('cursor'),
      /** Path of the next cursor in the body; absent/null/empty ends pagination. */
      nextCursorPath: jsonPath,
      sizeParam: z.string().optional(),
      pageSize: z.number().int().positive().max(10_000).optional(),
      /** Path of the number of records the API reports (checked; the cursor alone ends pagination). */
      totalRecordsPath: jsonPath.optional(),
      totalPath: renamed('use totalRecordsPath (a total-records field)'),
    })
    .strict(),
  z
    .object({
      type: z.literal('link_header'),
      rel: z.string().default('next'),
      /** Response header with the number of pages, e.g. `X-Total-Pages` (checked; the link alone ends pagination). */
      totalPagesHeader: z.string().min(1).optional(),
      /** Response header with the number of records, e.g. `X-Total-Count`. */
      totalRecordsHeader: z.string().min(1).optional(),
      totalHeader: renamed('use totalPagesHeader for a total-pages header or totalRecordsHeader for a total-records header'),
    })
    .strict()
    .refine((p) => !(p.totalPagesHeader && p.totalRecordsHeader), { error: 'set totalPagesHeader or totalRecordsHeader, not both', path: ['totalRecordsHeader'] }),
]);

export const incrementalSchema = z
  .object({
    /** Record field holding the event time the window filters on. */
    cursorField: z.string().min(1),
    /** Query parameters the API takes for the window bounds. */
    startParam: z.string().default('updated_since'),
    endParam: z.string().default('updated_until'),
    /** First window start when no state exists (ISO 8601). */
    initialValue: z.iso.datetime({ offset: true }),
    /** Window length per run. */
    windowSeconds: duration.min(60).default(86_400),
    /** Do not collect data younger than this (late-arriving writes at the source). */
    lagSeconds: duration.default(300),
    /** Re-read this much before the last window end (dedupe happens downstream by primary key). */
    lookbackSeconds: duration.default(0),
  })
  .strict();

/**
 * Header and query names that carry credentials. Their values would sit in plain config, Terraform
 * state and the Lambda's environment: credentials belong in `auth`, read from Secrets Manager or SSM.
 */
const CREDENTIAL_NAME = /^(authorization|proxy-authorization|cookie|key|sig|signature)$|api[-_]?key|token|secret|passw(or)?d|credential/i;

/** A name → value map whose names must not look like credentials. */
const plainParams = (what: string) =>
  z.record(z.string(), z.string()).superRefine((params, ctx) => {
    for (const name of Object.keys(params)) {
      if (CREDENTIAL_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], input: name, message: `${what} ${JSON.stringify(name)} looks like a credential; put it in auth (type api_key or bearer) with a secret from Secrets Manager or SSM, never in plain config` });
      }
    }
  });

export const httpSchema = z
  .object({
    timeoutMs: z.number().int().min(100).max(900_000).default(30_000),
    maxRetries: z.number().int().min(0).max(20).default(5),
    backoffBaseMs: z.number().int().min(1).default(500),
    backoffMaxMs: z.number().int().min(1).default(30_000),
    /** A `Retry-After` longer than this becomes a delayed continuation instead of a wait. */
    maxInlineRetryAfterSeconds: z.number().int().min(0).max(900).default(20),
    /** Client-side rate limit. */
    requestsPerSecond: z.number().positive().max(1_000).default(5),
    /** Plain headers sent with every request (no credentials: see `auth`). */
    headers: plainParams('header').default({}),
  })
  .strict();

export const batchingSchema = z
  .object({
    /** Rotate a part after this many uncompressed bytes. */
    maxPartBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
    maxPartRecords: z.number().int().min(1).default(500_000),
  })
  .strict();

export const sourceSchema = z
  .object({
    name: z.string().regex(NAME, 'lowercase letters, digits, "_" or "-", starting with a letter'),
    /** Name of the dataset the source feeds: one of the lake config's datasets. */
    dataset: z.string().min(1),
    baseUrl: z.url({ protocol: /^https?$/, message: 'an http(s) URL like "https://api.example.com"' }),
    path: z.string().startsWith('/'),
    /** Plain query parameters (no credentials: see `auth`). */
    query: plainParams('query parameter').default({}),
    auth: authSchema.default({ type: 'none' }),
    /** Dot path of the records array in a response body; `$` if the body is the array. */
    recordSelector: jsonPath.default('$'),
    pagination: paginationSchema,
    incremental: incrementalSchema.optional(),
    http: httpSchema.default(httpSchema.parse({})),
    batching: batchingSchema.default(batchingSchema.parse({})),
    /** EventBridge Scheduler expression, e.g. `rate(1 hour)` or `cron(0 2 * * ? *)`. */
    schedule: scheduleExpressionSchema.default('rate(1 day)'),
    /** Validate records against the contract in the collector (invalid ones still land in raw, flagged in the manifest). */
    validate: z.boolean().default(true),
  })
  .strict();

export type SourceConfig = z.infer<typeof sourceSchema>;
export type SourceConfigInput = z.input<typeof sourceSchema>;
export type PaginationConfig = z.infer<typeof paginationSchema>;
export type AuthConfig = z.infer<typeof authSchema>;
export type SecretRef = z.infer<typeof secretRefSchema>;
export type IncrementalConfig = z.infer<typeof incrementalSchema>;
export type HttpConfig = z.infer<typeof httpSchema>;
