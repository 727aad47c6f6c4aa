import { ProcessingConfig, SourceConfig } from '@nfe-lake/lake-core';
import { IDatasetContractObject } from '../catalog/dataset-contract-object';
import { IGlueDatabase } from '../catalog/lake-database';
import { IAlarmTopic } from '../common/alarm-topic';
import { ILakeBucket } from '../storage/lake-bucket';
import { ILakeKey } from '../storage/lake-key';

/**
 * Cluster and job settings are lake-core's `processing` config (mode, release, instance types,
 * managed scaling limits, idle timeout, schedule, table format...), each with its documented default.
 */
export interface SparkProcessingProps extends Partial<ProcessingConfig> {
  /** Name prefix, e.g. `nfe-dev`. */
  readonly namePrefix: string;
  readonly key: ILakeKey;
  readonly rawBucket: ILakeBucket;
  readonly curatedBucket: ILakeBucket;
  readonly analyticsBucket: ILakeBucket;
  /** Job code, launch specs, EMR logs and TLS certificates. */
  readonly artefactsBucket: ILakeBucket;
  readonly database: IGlueDatabase;
  /** The datasets to process (their exported contracts, which the job reads): one pipeline each. */
  readonly contracts: readonly IDatasetContractObject[];
  /** The sources whose manifests trigger processing; each feeds one of the datasets. */
  readonly sources: readonly SourceConfig[];
  /** The emr-trigger bundle directory (handler `index.handler`). */
  readonly triggerCodeDirectory: string;
  /** The built Spark job: `main.py` and `lake_job.zip`. */
  readonly jobDirectory: string;
  /** Attach AWS's scoped EMR service policy (v2). @default true */
  readonly attachEmrServicePolicy?: boolean;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Tags of the clusters the launch spec starts. @default {} */
  readonly clusterTags?: Record<string, string>;
  /** Failed Spark steps of the datasets' runs are published here (an EventBridge rule). @default - not published */
  readonly alarmTopic?: IAlarmTopic;
}
