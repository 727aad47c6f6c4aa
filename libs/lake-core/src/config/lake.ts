import { z } from 'zod';
import { sourceSchema } from './source';
import { DatasetContract } from '../contract/dataset';
import { TABLE_FORMATS } from '../processing/table-formats';
import { persistentIdleProblem, scheduleExpressionSchema } from './schedule';

const NAME = /^[a-z][a-z0-9-]{1,20}$/;

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * Protection of the raw bucket, the only copy of the lake that cannot be rebuilt from another one.
 */
export const rawProtectionSchema = z
  .object({
    /**
     * S3 Object Lock in GOVERNANCE mode: every new object version is locked for `retentionDays`, so it cannot be deleted
     * (nor its retention shortened) without `s3:BypassGovernanceRetention`, which the bucket policy denies to all but
     * the break-glass role. S3 turns Object Lock on when it creates the bucket: switching `enabled` on for an existing raw
     * bucket makes Terraform plan to replace the bucket, which `removalPolicy: "retain"` refuses. Switch it off only for
     * a raw bucket created without it (the bucket policy still denies version deletion then).
     */
    objectLock: z
      .object({
        enabled: z.boolean().default(true),
        /** Days each new object version stays locked (the bucket's default retention). */
        retentionDays: z.number().int().min(1).max(36_500).default(365),
      })
      .strict()
      .default({ enabled: true, retentionDays: 365 }),
    /**
     * The one role (its ARN, e.g. `arn:aws:iam::111122223333:role/lake-break-glass`) that may delete object versions,
     * bypass governance retention and change the raw bucket's lifecycle, versioning and Object Lock settings. The
     * principal that applies the lake stack (Terraform's caller) may change those settings too, but deletes versions only
     * with `forceDestroy` (the explicit destroy opt-in).
     * Default: none, so nobody deletes raw object versions without first changing the bucket policy.
     */
    breakGlassRoleArn: z.string().regex(IAM_ROLE_ARN, 'an IAM role ARN, arn:aws:iam::<account>:role/<name>').optional(),
    /**
     * Days before non-current versions of the raw data (not its manifests or checkpoints) expire. Default: never, since
     * raw is the only copy; set it when overwritten or deleted raw objects may go (after the Object Lock retention).
     */
    noncurrentVersionExpirationDays: z.number().int().min(1).optional(),
  })
  .strict();

export const storageSchema = z
  .object({
    /** Days before non-current object versions expire (every bucket but raw, see `rawProtection`). */
    noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
    /** Days before incomplete multipart uploads are aborted. */
    abortIncompleteMultipartDays: z.number().int().min(1).default(7),
    /**
     * Intelligent-Tiering archive tiers. Off by default: archived objects cannot be read by Athena
     * or Spark until restored. Enable only for raw data you re-read rarely.
     */
    archiveAccessTierDays: z.number().int().min(90).max(730).optional(),
    deepArchiveAccessTierDays: z.number().int().min(180).max(730).optional(),
    /** Athena query results expire after this many days. */
    athenaResultsExpirationDays: z.number().int().min(1).default(30),
    /**
     * `retain`: Terraform refuses to destroy the lake key, the buckets with their settings and the Glue
     * database and tables (`lifecycle.prevent_destroy`). `destroy` lets them go, and needs the global
     * opt-in `allowDataDestruction: true` as well.
     */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    /** Let `terraform destroy` delete non-empty buckets (never in prod); needs `removalPolicy: "destroy"`. */
    forceDestroy: z.boolean().default(false),
    rawProtection: rawProtectionSchema.default(rawProtectionSchema.parse({})),
  })
  .strict();

export const processingSchema = z
  .object({
    /** `transient`: a cluster per run (RunJobFlow). `persistent`: one long-lived cluster (AddJobFlowSteps). */
    mode: z.enum(['transient', 'persistent']).default('transient'),
    releaseLabel: z.string().regex(/^emr-\d+\.\d+\.\d+$/).default('emr-7.12.0'),
    primaryInstanceType: z.string().default('m7g.xlarge'),
    coreInstanceType: z.string().default('m7g.xlarge'),
    /** Managed scaling limits in instances (core and task; every instance group is on-demand). */
    minCapacityUnits: z.number().int().min(1).default(2),
    maxCapacityUnits: z.number().int().min(1).default(10),
    maxCoreCapacityUnits: z.number().int().min(1).default(3),
    /** gp3 data volume per node (HDFS and shuffle spill); raise it when stages spill to disk. */
    dataVolumeSizeGb: z.number().int().min(1).max(16_384).default(64),
    /** Root volume per node. */
    rootVolumeSizeGb: z.number().int().min(15).max(100).default(32),
    /** Auto-termination after this idle time. */
    idleTimeoutSeconds: z.number().int().min(60).max(604_800).default(3_600),
    /** Schedule for a catch-up trigger run in addition to manifest events. */
    schedule: scheduleExpressionSchema.default('rate(1 day)'),
    /** Curated table format; analytics tables are always Parquet. */
    tableFormat: z.enum(TABLE_FORMATS, { error: `one of ${TABLE_FORMATS.join(', ')} (the formats the Spark job writes)` }).default('parquet'),
    parquetCompression: z.enum(['zstd', 'snappy']).default('zstd'),
    targetFileSizeMb: z.number().int().min(1).max(2048).default(256),
    /** The job fails when more than this fraction of input records is quarantined. */
    maxBadRecordRatio: z.number().min(0).max(1).default(0.01),
    /** Subnet for the cluster; required outside the local environment. */
    subnetId: z.string().optional(),
  })
  .strict()
  .refine((p) => p.maxCapacityUnits >= p.minCapacityUnits, {
    message: 'maxCapacityUnits must be >= minCapacityUnits',
    path: ['maxCapacityUnits'],
  });

export const querySchema = z
  .object({
    /** Per-query scan cutoff (Athena minimum is 10 MB). */
    bytesScannedCutoffPerQuery: z.number().int().min(10_485_760).default(10 * 1024 ** 3),
    /**
     * First date of the lake's data (YYYY-MM-DD): partition projection enumerates every day from here
     * to today, one S3 listing each for a query without a date filter, so start it where the data starts.
     * Default: the earliest `sources[].incremental.initialValue` date (required when no source is incremental).
     */
    firstDate: z.iso.date().optional(),
  })
  .strict();

export const warehouseSchema = z
  .discriminatedUnion('enabled', [
    z.object({ enabled: z.literal(false) }).strict(),
    z
      .object({
        enabled: z.literal(true),
        target: z.discriminatedUnion('type', [
          z.object({ type: z.literal('cluster'), clusterIdentifier: z.string().min(1), database: z.string().default('dev'), dbUser: z.string().default('admin') }).strict(),
          z.object({ type: z.literal('serverless'), workgroupName: z.string().min(1), database: z.string().default('dev') }).strict(),
        ]),
        externalSchemaName: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('lake'),
      })
      .strict(),
  ])
  .default({ enabled: false });

export const alarmsSchema = z
  .object({
    /**
     * Who the lake's alarm topic notifies (every alarm and every failed EMR step): e-mail addresses (each confirms
     * the subscription) or https endpoints (a pager's webhook).
     */
    subscriptions: z
      .array(
        z.discriminatedUnion('protocol', [
          z.object({ protocol: z.literal('email'), endpoint: z.email() }).strict(),
          z.object({ protocol: z.literal('https'), endpoint: z.url({ protocol: /^https$/, error: 'an https:// URL' }) }).strict(),
        ]),
      )
      .default([]),
  })
  .strict();

export const backendSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('local') }).strict(),
    z.object({ type: z.literal('s3'), bucket: z.string().min(3), keyPrefix: z.string().default('nfe-lake'), region: z.string().optional() }).strict(),
  ])
  .default({ type: 'local' });

export const lakeConfigSchema = z
  .object({
    /** Name prefix of every resource, e.g. `nfe`. */
    project: z.string().regex(NAME, 'lowercase letters, digits and "-", 2-21 characters'),
    environment: z.string().regex(/^[a-z][a-z0-9]{1,9}$/, 'lowercase letters and digits, 2-10 characters'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like "sa-east-1"'),
    /** Local environment only: the moto server endpoint every AWS API is sent to. */
    localEndpoint: z.url().optional(),
    tags: z.record(z.string(), z.string()).default({}),
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].includes(d), 'a CloudWatch Logs retention value (e.g. 30, 90, 365)')
      .default(365),
    storage: storageSchema.default(storageSchema.parse({})),
    /**
     * This environment deploys the account baseline stack (`<project>-<env>-account`: Glue Data Catalog encryption with
     * its lake key, EMR Block Public Access). One environment per account and region owns it: false in every other one.
     */
    accountBaseline: z.boolean().default(true),
    /** The global opt-in to data destruction: the second of the two flags (with `storage.removalPolicy: "destroy"`). */
    allowDataDestruction: z.boolean().default(false),
    /**
     * The datasets of the lake: contract files (JSON, YAML, or a TypeScript module under a TypeScript
     * runtime), relative to the config file. TypeScript apps may pass contracts instead (`loadLakeConfig(path, { datasets })`).
     */
    datasets: z.array(z.object({ contract: z.string().min(1) }).strict()).default([]),
    sources: z.array(sourceSchema).min(1),
    processing: processingSchema.default(processingSchema.parse({})),
    query: querySchema.default(querySchema.parse({})),
    warehouse: warehouseSchema,
    alarms: alarmsSchema.default(alarmsSchema.parse({})),
    backend: backendSchema,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.sources.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicate source name "${s.name}"`, input: s.name });
      seen.add(s.name);
    });
    if (!cfg.query.firstDate && !cfg.sources.some((s) => s.incremental)) {
      ctx.addIssue({ code: 'custom', path: ['query', 'firstDate'], message: 'no source is incremental, so the first date of the data cannot be derived: set query.firstDate (YYYY-MM-DD)', input: undefined });
    }
    if (cfg.environment === 'local' && !cfg.localEndpoint) {
      ctx.addIssue({ code: 'custom', path: ['localEndpoint'], message: 'the local environment needs localEndpoint (the moto server URL)', input: undefined });
    }
    if (cfg.environment !== 'local') {
      cfg.sources.forEach((s, i) => {
        if (!s.baseUrl.startsWith('https://')) {
          ctx.addIssue({ code: 'custom', path: ['sources', i, 'baseUrl'], message: `https outside the local environment (${cfg.environment}): records and credentials must not cross the network in clear text`, input: s.baseUrl });
        }
      });
    }
    // destroying data takes two flags, so neither a copied storage block nor a stray global flag does it alone
    if (cfg.storage.removalPolicy === 'destroy' && !cfg.allowDataDestruction) {
      ctx.addIssue({ code: 'custom', path: ['storage', 'removalPolicy'], message: 'destroying data needs the global opt-in as well: set allowDataDestruction: true, or removalPolicy "retain"', input: 'destroy' });
    }
    if (cfg.allowDataDestruction && cfg.storage.removalPolicy !== 'destroy') {
      ctx.addIssue({ code: 'custom', path: ['allowDataDestruction'], message: 'the global opt-in alone destroys nothing: set storage.removalPolicy "destroy" as well, or drop allowDataDestruction', input: true });
    }
    if (cfg.storage.forceDestroy && cfg.storage.removalPolicy !== 'destroy') {
      ctx.addIssue({ code: 'custom', path: ['storage', 'forceDestroy'], message: 'deleting non-empty buckets needs storage.removalPolicy "destroy" and allowDataDestruction: true; or drop forceDestroy', input: true });
    }
    if (cfg.processing.mode === 'persistent') {
      const problem = persistentIdleProblem(cfg.processing.idleTimeoutSeconds, cfg.sources.map((s) => s.schedule));
      if (problem) ctx.addIssue({ code: 'custom', path: ['processing', 'idleTimeoutSeconds'], message: problem, input: cfg.processing.idleTimeoutSeconds });
    }
    if (cfg.environment !== 'local' && !cfg.processing.subnetId) {
      ctx.addIssue({ code: 'custom', path: ['processing', 'subnetId'], message: 'EMR needs a private subnet outside the local environment', input: undefined });
    }
  });

/** A parsed lake config with its datasets' contracts resolved. */
export type LakeConfig = Omit<z.infer<typeof lakeConfigSchema>, 'datasets'> & { readonly datasets: readonly DatasetContract[] };

/** The first date of the lake's data: `query.firstDate`, else the earliest incremental source's initial value. */
export function lakeFirstDate(config: Pick<LakeConfig, 'query' | 'sources'>): string {
  const starts = config.sources.flatMap((s) => (s.incremental ? [s.incremental.initialValue] : [])).map((v) => new Date(v).toISOString().slice(0, 10));
  const first = config.query.firstDate ?? starts.sort()[0];
  if (!first) throw new Error('invalid query.firstDate: got undefined; set the first date of the data (YYYY-MM-DD): no source is incremental to derive it from');
  return first;
}
export type LakeConfigInput = z.input<typeof lakeConfigSchema>;
export type ProcessingConfig = z.infer<typeof processingSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type RawProtectionConfig = z.infer<typeof rawProtectionSchema>;
export type WarehouseConfig = z.infer<typeof warehouseSchema>;
export type AlarmSubscription = z.infer<typeof alarmsSchema>['subscriptions'][number];
