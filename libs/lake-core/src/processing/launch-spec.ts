import { z } from 'zod';
import { clusterShapeSchema } from './cluster-shape';
import { TABLE_FORMATS } from './table-formats';

/**
 * The EMR launch spec: everything emr-trigger needs to start (transient) or use (persistent) a
 * cluster and submit the Spark job. infra-modules renders it (with resolved ARNs/names) into an
 * S3 object in the artefacts bucket; emr-trigger reads and validates it with this schema.
 */
export const emrLaunchSpecSchema = z
  .object({
    /** 2: the cluster shape (instance groups with data volumes) replaced the flat instance fields. */
    version: z.literal(2, { error: 'expected 2: the spec was rendered by another infra-modules version than this emr-trigger; deploy both from one release' }),
    mode: z.enum(['transient', 'persistent']),
    dataset: z.string().min(1),
    clusterName: z.string().min(1).max(256),
    releaseLabel: z.string().regex(/^emr-\d+\.\d+\.\d+$/),
    applications: z.array(z.string()).min(1),
    serviceRole: z.string().min(1),
    /** EC2 instance profile name of the cluster nodes. */
    jobFlowRole: z.string().min(1),
    securityConfiguration: z.string().min(1),
    logUri: z.string().startsWith('s3://'),
    subnetId: z.string().optional(),
    /** The cluster's instance groups, volumes and scaling limits (transient mode starts it). */
    cluster: clusterShapeSchema,
    autoTerminationIdleTimeoutSeconds: z.number().int().min(60).max(604_800),
    /** Persistent mode only: the cluster steps are added to. */
    persistentClusterId: z.string().optional(),
    /** EMR `Configurations` (classification/properties), e.g. Glue as the Hive metastore. */
    configurations: z
      .array(z.object({ classification: z.string(), properties: z.record(z.string(), z.string()) }).strict())
      .default([]),
    job: z
      .object({
        /** s3:// URI of the PySpark entry point. */
        entrypointUri: z.string().startsWith('s3://'),
        /** s3:// URI of the zipped job package (--py-files). */
        pyFilesUri: z.string().startsWith('s3://'),
        /** s3:// URI of the exported dataset contract JSON. */
        contractUri: z.string().startsWith('s3://'),
        rawBucket: z.string().min(3),
        curatedBucket: z.string().min(3),
        analyticsBucket: z.string().min(3),
        glueDatabase: z.string().min(1),
        tableFormat: z.enum(TABLE_FORMATS),
        parquetCompression: z.enum(['zstd', 'snappy']),
        targetFileSizeMb: z.number().int().min(1),
        maxBadRecordRatio: z.number().min(0).max(1),
        /** Extra spark-submit arguments (e.g. --packages for Delta). */
        sparkSubmitArgs: z.array(z.string()).default([]),
      })
      .strict(),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.mode === 'persistent' && !s.persistentClusterId) {
      ctx.addIssue({ code: 'custom', path: ['persistentClusterId'], message: 'persistent mode needs persistentClusterId', input: undefined });
    }
    const scaling = s.cluster.managedScaling;
    if (scaling.maximumCapacityUnits < scaling.minimumCapacityUnits) {
      ctx.addIssue({ code: 'custom', path: ['cluster', 'managedScaling', 'maximumCapacityUnits'], message: 'must be >= minimumCapacityUnits', input: scaling.maximumCapacityUnits });
    }
  });

export type EmrLaunchSpec = z.infer<typeof emrLaunchSpecSchema>;

/** What every EMR step of a dataset's runs is named with (then the run id): the trigger names steps so, alerting matches them. */
export function emrStepNamePrefix(dataset: string): string {
  return `nfe-lake ${dataset} `;
}
export type EmrLaunchSpecInput = z.input<typeof emrLaunchSpecSchema>;
