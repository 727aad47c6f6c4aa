import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { EmrCluster } from '@cdktf/provider-aws/lib/emr-cluster';
import { EmrManagedScalingPolicy } from '@cdktf/provider-aws/lib/emr-managed-scaling-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { EmrLaunchSpecInput, InstanceGroupShape, MANIFEST_PREFIX, emrStepNamePrefix, ProcessingConfig, clusterShape, emrLaunchSpecSchema, instanceGroup, persistentIdleProblem, processingSchema, rawDatasetPrefix, triggerMarkerKey } from '@nfe-lake/lake-core';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AwsEnv } from '../common/aws-env';
import { LakeFunction } from '../common/lake-function';
import { LambdaSchedule } from '../common/lambda-schedule';
import { InfraConfigError } from '../common/validate';
import { ILakeBucket } from '../storage/lake-bucket';
import { EmrRoles } from './emr-roles';
import { EmrSecurity } from './emr-security';
import { SparkProcessingProps } from './spark-processing-props';

const JOB_FILES = { entrypoint: 'main.py', pyFiles: 'lake_job.zip' } as const;
const CLUSTER_TAG = 'nfe-lake';

/** One dataset's processing pipeline: launch spec, emr-trigger Lambda, manifest rule and catch-up schedule. */
export interface DatasetPipeline {
  readonly launchSpec: S3Object;
  readonly launchSpecUri: string;
  readonly trigger: LakeFunction;
  readonly manifestRule: CloudwatchEventRule;
  readonly schedule: LambdaSchedule;
}

/**
 * Spark on EMR-on-EC2, secure by default: scoped roles and instance profile, a security
 * configuration (KMS at rest, TLS in transit, IMDSv2), Block Public Access, encrypted logs.
 * `transient` mode renders a launch spec the emr-trigger Lambda starts a cluster from (RunJobFlow
 * with managed scaling and auto-termination) whenever a collector manifest lands; `persistent`
 * mode runs one long-lived cluster with the same limits and the trigger adds steps to it.
 */
export class SparkProcessing extends Construct {
  readonly settings: ProcessingConfig;
  readonly roles: EmrRoles;
  readonly security: EmrSecurity;
  readonly cluster?: EmrCluster;
  readonly pipelines: Record<string, DatasetPipeline> = {};
  /** With `alarmTopic`: failed steps of the lake's runs, to the topic. */
  readonly stepFailedRule?: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: SparkProcessingProps) {
    super(scope, id);
    this.settings = processingSettings(props);
    const s = this.settings;
    const jobFile = (file: string) => existingFile(join(props.jobDirectory, file), 'build the Spark job first (nx run spark:build) or pass jobDirectory');

    this.roles = new EmrRoles(this, 'Roles', { namePrefix: props.namePrefix, key: props.key, attachServicePolicy: props.attachEmrServicePolicy });
    this.security = new EmrSecurity(this, 'Security', {
      securityConfigurationName: `${props.namePrefix}-emr`,
      key: props.key,
      certificatesBucket: props.artefactsBucket,
    });
    const instanceRole = this.roles.instanceRole;
    props.rawBucket.grantRead(instanceRole);
    // the job overwrites the partitions it rewrites (and replaces its reports): deletes included
    for (const bucket of [props.curatedBucket, props.analyticsBucket]) {
      bucket.grantRead(instanceRole);
      bucket.grantWrite(instanceRole);
      bucket.grantDelete(instanceRole);
    }
    for (const prefix of ['jobs/*', 'emr/*']) props.artefactsBucket.grantRead(instanceRole, prefix);
    for (const contract of props.contracts) contract.grantRead(instanceRole);
    props.artefactsBucket.grantWrite(instanceRole, 'emr-logs/*');
    props.database.grantWrite(instanceRole);

    const upload = (scope: Construct, id: string, key: string, path: string) => {
      const asset = new TerraformAsset(scope, `${id}Asset`, { path, type: AssetType.FILE });
      return new S3Object(scope, id, {
        bucket: props.artefactsBucket.bucketName,
        key,
        source: asset.path,
        // the content hash: a changed file is uploaded again (an SSE-KMS etag is not an MD5)
        sourceHash: asset.assetHash,
        serverSideEncryption: 'aws:kms',
        kmsKeyId: props.key.keyArn,
      });
    };
    const jobObject = (file: string) => `jobs/spark/${file}`;
    const jobPrefix = new Construct(this, 'Job');
    upload(jobPrefix, 'Entrypoint', jobObject(JOB_FILES.entrypoint), jobFile(JOB_FILES.entrypoint));
    upload(jobPrefix, 'PyFiles', jobObject(JOB_FILES.pyFiles), jobFile(JOB_FILES.pyFiles));

    const logUri = props.artefactsBucket.s3Uri('emr-logs/');
    const clusterName = (suffix: string) => `${props.namePrefix}-${suffix}`;
    const tags = { ...props.clusterTags, [CLUSTER_TAG]: props.namePrefix, 'for-use-with-amazon-emr-managed-policies': 'true' };
    const configurations = emrConfigurations(s);
    const shape = clusterShape(s);

    if (s.mode === 'persistent') {
      this.cluster = new EmrCluster(this, 'Cluster', {
        name: clusterName('spark'),
        releaseLabel: s.releaseLabel,
        applications: ['Spark'],
        serviceRole: this.roles.serviceRole.roleArn,
        securityConfiguration: this.security.securityConfigurationName,
        logUri,
        logEncryptionKmsKeyId: props.key.keyArn,
        ec2Attributes: { instanceProfile: this.roles.instanceProfile.arn, subnetId: s.subnetId },
        masterInstanceGroup: clusterInstanceGroup(instanceGroup(shape, 'MASTER')),
        coreInstanceGroup: clusterInstanceGroup(instanceGroup(shape, 'CORE')),
        ebsRootVolumeSize: shape.rootVolumeSizeGb,
        keepJobFlowAliveWhenNoSteps: true,
        autoTerminationPolicy: { idleTimeout: s.idleTimeoutSeconds },
        configurationsJson: JSON.stringify(configurations.map((c) => ({ Classification: c.classification, Properties: c.properties }))),
        tags,
      });
      new EmrManagedScalingPolicy(this, 'ManagedScaling', {
        clusterId: this.cluster.id,
        computeLimits: [
          {
            unitType: shape.managedScaling.unitType,
            minimumCapacityUnits: shape.managedScaling.minimumCapacityUnits,
            maximumCapacityUnits: shape.managedScaling.maximumCapacityUnits,
            maximumOndemandCapacityUnits: shape.managedScaling.maximumOnDemandCapacityUnits,
            maximumCoreCapacityUnits: shape.managedScaling.maximumCoreCapacityUnits,
          },
        ],
      });
    }

    for (const { contract, sources: datasetSources } of pipelinesOf(props)) {
      const dataset = contract.contract.name;
      const scope = new Construct(this, dataset);
      const spec: EmrLaunchSpecInput = {
        version: 2,
        mode: s.mode,
        dataset,
        clusterName: clusterName(`spark-${dataset.replace(/_/g, '-')}`),
        releaseLabel: s.releaseLabel,
        applications: ['Spark'],
        serviceRole: this.roles.serviceRole.roleName,
        jobFlowRole: this.roles.instanceProfile.name,
        securityConfiguration: this.security.securityConfigurationName,
        logUri,
        subnetId: s.subnetId,
        cluster: shape,
        autoTerminationIdleTimeoutSeconds: s.idleTimeoutSeconds,
        persistentClusterId: this.cluster?.id,
        configurations,
        job: {
          entrypointUri: props.artefactsBucket.s3Uri(jobObject(JOB_FILES.entrypoint)),
          pyFilesUri: props.artefactsBucket.s3Uri(jobObject(JOB_FILES.pyFiles)),
          contractUri: contract.uri,
          rawBucket: props.rawBucket.bucketName,
          curatedBucket: props.curatedBucket.bucketName,
          analyticsBucket: props.analyticsBucket.bucketName,
          glueDatabase: props.database.databaseName,
          tableFormat: s.tableFormat,
          parquetCompression: s.parquetCompression,
          targetFileSizeMb: s.targetFileSizeMb,
          maxBadRecordRatio: s.maxBadRecordRatio,
        },
        tags,
      };
      const launchSpecKey = `launch-spec/${dataset}.json`;
      const launchSpec = new S3Object(scope, 'LaunchSpec', {
        bucket: props.artefactsBucket.bucketName,
        key: launchSpecKey,
        // validated against the schema emr-trigger reads it with, before anything is deployed
        content: JSON.stringify(emrLaunchSpecSchema.parse(spec), null, 2),
        contentType: 'application/json',
        serverSideEncryption: 'aws:kms',
        kmsKeyId: props.key.keyArn,
      });
      const launchSpecUri = props.artefactsBucket.s3Uri(launchSpecKey);

      const trigger = new LakeFunction(scope, 'Trigger', {
        functionName: `${props.namePrefix}-emr-trigger-${dataset.replace(/_/g, '-')}`,
        description: `Starts the Spark job of ${dataset} when a collector manifest lands`,
        codeDirectory: props.triggerCodeDirectory,
        key: props.key,
        logRetentionDays: props.logRetentionDays,
        environment: { LAUNCH_SPEC_URI: launchSpecUri, RAW_BUCKET: props.rawBucket.bucketName, POWERTOOLS_SERVICE_NAME: 'emr-trigger' },
      });
      this.grantTrigger(trigger, props.artefactsBucket, launchSpecKey, props.namePrefix);
      for (const src of datasetSources) {
        const datasetPrefix = rawDatasetPrefix(src.name, dataset);
        props.rawBucket.grantRead(trigger.role, `${MANIFEST_PREFIX}${datasetPrefix}*`);
        const markers = `${triggerMarkerPrefix(src.name, dataset)}*`;
        props.rawBucket.grantRead(trigger.role, markers);
        props.rawBucket.grantWrite(trigger.role, markers);
        // a failed start releases its claims so a retry can start the run
        props.rawBucket.grantDelete(trigger.role, markers);
      }

      const manifestRule = new CloudwatchEventRule(scope, 'ManifestRule', {
        name: `${props.namePrefix}-manifest-${dataset.replace(/_/g, '-')}`,
        description: `Collector manifests of ${dataset}`,
        eventPattern: JSON.stringify({
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: {
            bucket: { name: [props.rawBucket.bucketName] },
            object: { key: datasetSources.map((src) => ({ prefix: `${MANIFEST_PREFIX}${rawDatasetPrefix(src.name, dataset)}` })) },
          },
        }),
      });
      new CloudwatchEventTarget(scope, 'ManifestTarget', {
        rule: manifestRule.name,
        arn: trigger.functionArn,
        retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
      });
      new LambdaPermission(scope, 'ManifestInvoke', {
        functionName: trigger.functionName,
        action: 'lambda:InvokeFunction',
        principal: 'events.amazonaws.com',
        sourceArn: manifestRule.arn,
      });
      const schedule = new LambdaSchedule(scope, 'CatchUp', {
        scheduleName: `${props.namePrefix}-emr-catch-up-${dataset.replace(/_/g, '-')}`,
        expression: s.schedule,
        functionArn: trigger.functionArn,
        // the shape of an EventBridge scheduled event: emr-trigger sweeps for unclaimed manifests
        input: { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
        key: props.key,
      });
      this.pipelines[dataset] = { launchSpec, launchSpecUri, trigger, manifestRule, schedule };
    }
    if (props.alarmTopic) {
      // EMR's step events carry no cluster tag: the step names (which the trigger gives) say which runs are the lake's
      this.stepFailedRule = new CloudwatchEventRule(this, 'StepFailedRule', {
        name: `${props.namePrefix}-emr-step-failed`,
        description: 'A Spark step of a lake run failed',
        eventPattern: JSON.stringify({
          source: ['aws.emr'],
          'detail-type': ['EMR Step Status Change'],
          detail: { state: ['FAILED'], name: props.contracts.map((c) => ({ prefix: emrStepNamePrefix(c.contract.name) })) },
        }),
      });
      new CloudwatchEventTarget(this, 'StepFailedTarget', { rule: this.stepFailedRule.name, arn: props.alarmTopic.topicArn });
    }
  }

  private grantTrigger(trigger: LakeFunction, artefacts: ILakeBucket, launchSpecKey: string, namePrefix: string): void {
    const role = trigger.role;
    const clusters = [AwsEnv.of(this).arn('elasticmapreduce', 'cluster/*')];
    artefacts.grantRead(role, launchSpecKey);
    // RunJobFlow has no resource-level permissions: the tag condition keeps it to lake clusters
    role.addToPolicy({ Action: ['elasticmapreduce:RunJobFlow'], Resource: '*', Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: namePrefix } } });
    role.addToPolicy({ Action: ['elasticmapreduce:AddTags'], Resource: clusters, Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: namePrefix } } });
    role.addToPolicy({
      Action: ['elasticmapreduce:AddJobFlowSteps', 'elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeStep', 'elasticmapreduce:ListSteps'],
      Resource: clusters,
      Condition: { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: namePrefix } },
    });
    // adopting a live cluster of the same job run finds it by listing (no resource-level permission)
    role.addToPolicy({ Action: ['elasticmapreduce:ListClusters'], Resource: '*' });
    // each role only to the service that uses it (as AWS's EMR full-access policy scopes it)
    role.addToPolicy({ Action: ['iam:PassRole'], Resource: [this.roles.serviceRole.roleArn], Condition: { StringLike: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com*' } } });
    role.addToPolicy({ Action: ['iam:PassRole'], Resource: [this.roles.instanceRole.roleArn], Condition: { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com*' } } });
  }
}

/** The processing settings with lake-core's defaults, checked like the lake config is. */
function processingSettings(props: SparkProcessingProps): ProcessingConfig {
  const given = Object.fromEntries(Object.keys(processingSchema.shape).flatMap((k) => (props[k as keyof ProcessingConfig] === undefined ? [] : [[k, props[k as keyof ProcessingConfig]]])));
  const parsed = processingSchema.safeParse(given);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: got ${JSON.stringify(given[String(i.path[0])])}; ${i.message}`);
    throw new InfraConfigError(`invalid processing settings: ${issues.join('; ')}`);
  }
  const s = parsed.data;
  const limit = (what: string, value: number) => {
    if (value > s.maxCapacityUnits) throw new InfraConfigError(`invalid ${what}: got ${value}; it cannot exceed maxCapacityUnits (${s.maxCapacityUnits})`);
  };
  limit('maxCoreCapacityUnits', s.maxCoreCapacityUnits);
  if (s.mode === 'persistent') {
    const problem = persistentIdleProblem(s.idleTimeoutSeconds, props.sources.map((src) => src.schedule));
    if (problem) throw new InfraConfigError(`invalid idleTimeoutSeconds: ${problem}`);
  }
  return s;
}

/** One instance group of the cluster shape, as `aws_emr_cluster` takes it (its groups are on-demand). */
function clusterInstanceGroup(group: InstanceGroupShape) {
  return {
    instanceType: group.instanceType,
    instanceCount: group.instanceCount,
    ebsConfig: group.ebsVolumes.map((v) => ({ size: v.sizeGb, type: v.volumeType, volumesPerInstance: v.volumesPerInstance })),
  };
}

/** Glue Data Catalog as the metastore, plus the table format's runtime when it is not plain Parquet. */
function emrConfigurations(s: ProcessingConfig) {
  const glue = { 'hive.metastore.client.factory.class': 'com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory' };
  const format = {
    parquet: [],
    delta: [{ classification: 'delta-defaults', properties: { 'delta.enabled': 'true' } }],
  }[s.tableFormat];
  return [{ classification: 'spark-hive-site', properties: glue }, ...format];
}

/** One pipeline per dataset contract, with the sources whose manifests trigger it. */
function pipelinesOf(props: SparkProcessingProps) {
  if (!props.contracts.length) throw new InfraConfigError('no dataset contracts given: processing needs at least one dataset');
  const names = props.contracts.map((c) => c.contract.name);
  for (const source of props.sources) {
    if (!names.includes(source.dataset)) {
      throw new InfraConfigError(`invalid sources: source ${source.name} feeds dataset ${JSON.stringify(source.dataset)}, which has no contract here; pass its contract (known: ${names.join(', ')})`);
    }
  }
  return props.contracts.map((contract) => {
    const sources = props.sources.filter((src) => src.dataset === contract.contract.name);
    if (!sources.length) throw new InfraConfigError(`invalid contracts: dataset ${contract.contract.name} has no source to trigger on; add a source for it or drop the contract`);
    return { contract, sources };
  });
}

/** `_control/emr-trigger/<source>/<dataset>/`: where emr-trigger keeps its idempotency markers. */
function triggerMarkerPrefix(source: string, dataset: string): string {
  return triggerMarkerKey({ source, dataset, ingestDate: '2000-01-01', runId: 'run' }).split('ingest_date=')[0];
}

function existingFile(path: string, fix: string): string {
  const file = resolve(path);
  if (!existsSync(file)) throw new InfraConfigError(`missing ${file}; ${fix}`);
  return file;
}
