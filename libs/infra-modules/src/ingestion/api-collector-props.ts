import { SourceConfig } from '@nfe-lake/lake-core';
import { IDatasetContractObject } from '../catalog/dataset-contract-object';
import { ILakeBucket } from '../storage/lake-bucket';
import { ILakeKey } from '../storage/lake-key';

export interface ApiCollectorProps {
  /** The source to collect (lake-core source config): schedule, auth secret and dataset come from it. */
  readonly source: SourceConfig;
  /** The exported contract of the dataset the source feeds: the collector reads it at cold start to validate records and key pages. */
  readonly contract: IDatasetContractObject;
  readonly rawBucket: ILakeBucket;
  /** Encrypts the queues, logs, schedule input and function environment. */
  readonly key: ILakeKey;
  /** Name prefix of the function, queues, schedule and alarms, e.g. `nfe-dev`. */
  readonly namePrefix: string;
  /** Directory of the collector bundle (handler `index.handler`). */
  readonly codeDirectory: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Alarm when no manifest was written for this many scheduled runs. @default 3 */
  readonly missedSchedulesBeforeAlarm?: number;
  /**
   * Seconds between scheduled runs, for the missing-manifest alarm.
   * @default - derived from a `rate(...)` schedule; one day for `cron(...)` schedules
   */
  readonly scheduleIntervalSeconds?: number;
  /** @default 900 - the Lambda maximum; long windows continue through the continuation queue */
  readonly timeoutSeconds?: number;
  /** @default 1024 */
  readonly memorySizeMb?: number;
}

