import { LakeConfig, lakeFirstDate, rawDatasetPrefix } from '@nfe-lake/lake-core';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { DatasetContractObject } from '../catalog/dataset-contract-object';
import { LakeDatabase } from '../catalog/lake-database';
import { AlarmTopic } from '../common/alarm-topic';
import { InfraConfigError } from '../common/validate';
import { LakeStorage } from '../storage/lake-storage';
import { LakeStackBase } from './lake-stack-base';

export interface LakeStackProps {
  /** With `storage.removalPolicy: "destroy"` and `allowDataDestruction: true`, a destroy deletes the data; otherwise it refuses. */
  readonly config: LakeConfig;
}

/**
 * The stateful stack: the lake key, buckets, Glue database and tables, and each dataset's exported
 * contract in the artefacts bucket. Compute stacks reference it.
 */
export class LakeStack extends LakeStackBase {
  readonly storage: LakeStorage;
  readonly database: LakeDatabase;
  /** Every alarm of the environment and every failed EMR step notify it. */
  readonly alarmTopic: AlarmTopic;
  /** The exported contract object of each dataset, by dataset name. */
  readonly contracts: Record<string, DatasetContractObject> = {};

  constructor(scope: Construct, id: string, props: LakeStackProps) {
    super(scope, id, props.config);
    const { config } = props;
    const { rawProtection, ...storage } = config.storage;
    this.storage = new LakeStorage(this, 'Storage', {
      namePrefix: this.namePrefix,
      ...storage,
      rawDataPrefixes: config.sources.map((s) => rawDatasetPrefix(s.name, s.dataset)),
      rawNoncurrentVersionExpirationDays: rawProtection.noncurrentVersionExpirationDays,
      rawObjectLock: rawProtection.objectLock.enabled,
      rawObjectLockRetentionDays: rawProtection.objectLock.enabled ? rawProtection.objectLock.retentionDays : undefined,
      breakGlassRoleArn: rawProtection.breakGlassRoleArn,
      accessLogsExpirationDays: config.logRetentionDays,
      // moto serves plain HTTP and enforces bucket policies: a TLS-only policy would deny every local call
      enforceTls: !this.onMoto,
      // moto's bucket-policy evaluation does not apply the Null condition as AWS does: it denies every upload
      enforceLakeKey: !this.onMoto,
    });
    this.storage.key.allowCloudWatchLogs(`/aws/lambda/${this.namePrefix}-`);
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { namePrefix: this.namePrefix, key: this.storage.key, subscriptions: config.alarms.subscriptions });

    this.database = new LakeDatabase(this, 'Database', {
      databaseName: `${this.namePrefix.replace(/-/g, '_')}_lake`,
      description: `${config.project} ${config.environment} data lake (raw, curated, analytics)`,
      catalogKey: this.storage.key,
      removalPolicy: config.storage.removalPolicy,
      projectionStartDate: lakeFirstDate(config),
    });
    const datasets = new Construct(this, 'Datasets');
    for (const contract of config.datasets) {
      const dataset = contract.name;
      const sources = config.sources.filter((s) => s.dataset === dataset).map((s) => s.name);
      if (sources.length !== 1) {
        throw new InfraConfigError(`invalid sources of dataset ${dataset}: got ${JSON.stringify(sources)}; the raw table is per dataset: keep one source per dataset`);
      }
      this.database.addRawTable(contract, sources[0], this.storage.raw);
      for (const table of contract.curated) {
        if (config.processing.tableFormat === 'delta') this.database.addDeltaTable(contract, table, this.storage.curated);
        else this.database.addTable(contract, table, this.storage.curated);
      }
      // the job writes analytics tables as Parquet whatever the curated format
      for (const table of contract.analytics) this.database.addTable(contract, table, this.storage.analytics);
      this.contracts[dataset] = new DatasetContractObject(datasets, dataset, { contract, bucket: this.storage.artefacts, key: this.storage.key });
    }

    // names and ARNs for other teams' stacks (LakeBucket.fromBucketAttributes etc.); the sensitive
    // cross-stack-output-* outputs are cdktf's own plumbing for our compute stacks
    const s = this.storage;
    const buckets = { raw: s.raw, curated: s.curated, analytics: s.analytics, athena_results: s.athenaResults, artefacts: s.artefacts };
    for (const [layer, bucket] of Object.entries(buckets)) {
      const what = `the ${layer.replace('_', ' ')} bucket`;
      new TerraformOutput(this, `${layer}_bucket`, { value: bucket.bucketName, description: `Name of ${what}` });
      new TerraformOutput(this, `${layer}_bucket_arn`, { value: bucket.bucketArn, description: `ARN of ${what}` });
    }
    new TerraformOutput(this, 'lake_key_arn', { value: s.key.keyArn, description: 'ARN of the lake KMS key: readers of the data buckets and of the catalog need kms:Decrypt on it' });
    new TerraformOutput(this, 'glue_database', { value: this.database.databaseName, description: 'Name of the lake Glue database' });
    new TerraformOutput(this, 'glue_database_arn', { value: this.database.databaseArn, description: 'ARN of the lake Glue database' });
  }
}
