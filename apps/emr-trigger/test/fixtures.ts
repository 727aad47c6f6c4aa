import { EmrLaunchSpecInput, RunManifest, RunRef, manifestKey, rawObjectKey } from '@nfe-lake/lake-core';

export const RAW_BUCKET = 'lake-raw';
export const ARTEFACTS = 'lake-artefacts';
export const SPEC_KEY = 'emr/launch-spec.json';

export function launchSpec(overrides: Partial<EmrLaunchSpecInput> = {}): EmrLaunchSpecInput {
  return {
    version: 1,
    mode: 'transient',
    dataset: 'nfe_invoice',
    clusterName: 'nfe-lake-processing',
    releaseLabel: 'emr-7.5.0',
    applications: ['Spark'],
    serviceRole: 'nfe-lake-emr-service',
    jobFlowRole: 'nfe-lake-emr-ec2',
    securityConfiguration: 'nfe-lake-emr-security',
    logUri: 's3://lake-logs/emr/',
    subnetId: 'subnet-0abc',
    primaryInstanceType: 'm7g.xlarge',
    coreInstanceType: 'm7g.2xlarge',
    coreInstanceCount: 2,
    ebsRootVolumeSizeGb: 40,
    managedScaling: { unitType: 'Instances', minimumCapacityUnits: 2, maximumCapacityUnits: 10, maximumOnDemandCapacityUnits: 4, maximumCoreCapacityUnits: 3 },
    autoTerminationIdleTimeoutSeconds: 900,
    configurations: [{ classification: 'spark-hive-site', properties: { 'hive.metastore.client.factory.class': 'com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory' } }],
    job: {
      entrypointUri: `s3://${ARTEFACTS}/jobs/spark/main.py`,
      pyFilesUri: `s3://${ARTEFACTS}/jobs/spark/nfe_lake_job.zip`,
      contractUri: `s3://${ARTEFACTS}/jobs/spark/nfe_invoice.json`,
      rawBucket: RAW_BUCKET,
      curatedBucket: 'lake-curated',
      analyticsBucket: 'lake-analytics',
      glueDatabase: 'nfe_lake',
      tableFormat: 'parquet',
      parquetCompression: 'zstd',
      targetFileSizeMb: 128,
      maxBadRecordRatio: 0.01,
      sparkSubmitArgs: ['--conf', 'spark.sql.shuffle.partitions=64'],
    },
    tags: { project: 'nfe-lake' },
    ...overrides,
  };
}

export function runRef(runId: string, ingestDate = '2026-01-02'): RunRef {
  return { source: 'demo-api', dataset: 'nfe_invoice', ingestDate, runId };
}

export function manifest(ref: RunRef): { key: string; body: RunManifest } {
  const part = rawObjectKey({ ...ref, part: 0 });
  return {
    key: manifestKey(ref),
    body: {
      version: 1, source: ref.source, dataset: ref.dataset, runId: ref.runId, ingestDate: ref.ingestDate,
      startedAt: `${ref.ingestDate}T00:00:00Z`, completedAt: `${ref.ingestDate}T00:10:00Z`, records: 10, invalidRecords: 0,
      pages: 1, bytes: 100, parts: [{ key: part, records: 10, bytes: 100 }], firstCursor: null, lastCursor: null,
      apiReportedTotal: { unit: 'records', count: 10 }, continuations: 0,
    },
  };
}

export function objectCreated(key: string, bucket = RAW_BUCKET) {
  return { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key } } } as const;
}

export const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event' } as const;
