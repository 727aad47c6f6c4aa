import { LakeConfig } from '@nfe-lake/lake-core';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AlarmTopic } from '../common/alarm-topic';
import { InfraConfigError } from '../common/validate';
import { ApiCollector } from '../ingestion/api-collector';
import { SparkProcessing } from '../processing/spark-processing';
import { LakeWorkgroup } from '../query/lake-workgroup';
import { SpectrumSchema, SpectrumTarget } from '../warehouse/spectrum-schema';
import { LakeStack } from './lake-stack';
import { LakeStackBase } from './lake-stack-base';

export interface ComputeStackProps {
  readonly config: LakeConfig;
  /** The environment's stateful stack (buckets, key, database). */
  readonly lake: LakeStack;
}

export interface IngestionStackProps extends ComputeStackProps {
  /** The collector bundle (`nx run collector-lambda:bundle`). */
  readonly collectorCodeDirectory: string;
}

/** One collector per configured source. */
export class IngestionStack extends LakeStackBase {
  readonly collectors: Record<string, ApiCollector> = {};

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props.config);
    for (const source of props.config.sources) {
      const contract = props.lake.contracts[source.dataset];
      if (!contract) throw new InfraConfigError(`invalid sources: source ${source.name} feeds dataset ${source.dataset}, which the lake stack does not declare (datasets: ${Object.keys(props.lake.contracts).join(', ')})`);
      const collector = new ApiCollector(this, source.name, {
        source,
        contract,
        rawBucket: props.lake.storage.raw,
        key: props.lake.storage.key,
        namePrefix: this.namePrefix,
        codeDirectory: props.collectorCodeDirectory,
        logRetentionDays: props.config.logRetentionDays,
      });
      this.collectors[source.name] = collector;
      new TerraformOutput(this, `${source.name}_collector_function`, { value: collector.function.functionName });
      new TerraformOutput(this, `${source.name}_continuation_queue_url`, { value: collector.continuationQueue.url });
    }
    AlarmTopic.notifyAlarmsIn(this, props.lake.alarmTopic);
  }
}

export interface ProcessingStackProps extends ComputeStackProps {
  /** The emr-trigger bundle (`nx run emr-trigger:bundle`). */
  readonly triggerCodeDirectory: string;
  /** The built Spark job (`main.py`, `lake_job.zip`). */
  readonly jobDirectory: string;
}

/** EMR Spark processing (transient or persistent, from the config) triggered by collector manifests. */
export class ProcessingStack extends LakeStackBase {
  readonly processing: SparkProcessing;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props.config);
    const { storage, database } = props.lake;
    this.processing = new SparkProcessing(this, 'Spark', {
      ...props.config.processing,
      namePrefix: this.namePrefix,
      key: storage.key,
      rawBucket: storage.raw,
      curatedBucket: storage.curated,
      analyticsBucket: storage.analytics,
      artefactsBucket: storage.artefacts,
      database,
      contracts: Object.values(props.lake.contracts),
      sources: props.config.sources,
      triggerCodeDirectory: props.triggerCodeDirectory,
      jobDirectory: props.jobDirectory,
      logRetentionDays: props.config.logRetentionDays,
      clusterTags: props.config.tags,
      alarmTopic: props.lake.alarmTopic,
      // moto's IAM has no AmazonEMRServicePolicy_v2 to attach
      attachEmrServicePolicy: !this.onMoto,
    });
    AlarmTopic.notifyAlarmsIn(this, props.lake.alarmTopic);
    for (const [dataset, pipeline] of Object.entries(this.processing.pipelines)) {
      new TerraformOutput(this, `${dataset}_launch_spec_uri`, { value: pipeline.launchSpecUri });
    }
  }
}

/** The Athena workgroup and each dataset's named queries. */
export class QueryStack extends LakeStackBase {
  readonly workgroup: LakeWorkgroup;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props.config);
    this.workgroup = new LakeWorkgroup(this, 'Workgroup', {
      workgroupName: `${this.namePrefix}-lake`,
      resultsBucket: props.lake.storage.athenaResults,
      bytesScannedCutoffPerQuery: props.config.query.bytesScannedCutoffPerQuery,
    });
    const owners = new Map<string, string>();
    for (const contract of props.config.datasets) {
      for (const query of contract.namedQueries) {
        const owner = owners.get(query.name);
        if (owner) throw new InfraConfigError(`invalid namedQueries: datasets ${owner} and ${contract.name} both declare a query named ${JSON.stringify(query.name)}; rename one of them`);
        owners.set(query.name, contract.name);
        this.workgroup.addNamedQuery(props.lake.database, query);
      }
    }
    new TerraformOutput(this, 'athena_workgroup', { value: this.workgroup.workgroupName, description: 'Name of the lake Athena workgroup' });
    new TerraformOutput(this, 'athena_workgroup_arn', { value: this.workgroup.workgroupArn, description: 'ARN of the lake Athena workgroup' });
  }
}

export interface WarehouseStackProps extends ComputeStackProps {
  readonly target: SpectrumTarget;
  readonly externalSchemaName: string;
}

/** Optional: a Redshift Spectrum schema over the lake for an existing cluster or workgroup. */
export class WarehouseStack extends LakeStackBase {
  readonly spectrum: SpectrumSchema;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    super(scope, id, props.config);
    const { storage, database } = props.lake;
    this.spectrum = new SpectrumSchema(this, 'Spectrum', {
      target: props.target,
      database,
      buckets: [storage.raw, storage.curated, storage.analytics],
      roleName: `${this.namePrefix}-spectrum`,
      externalSchemaName: props.externalSchemaName,
    });
    new TerraformOutput(this, 'spectrum_role_arn', { value: this.spectrum.role.roleArn });
  }
}
