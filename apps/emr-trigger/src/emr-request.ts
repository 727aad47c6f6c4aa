import { ActionOnFailure, InstanceGroupConfig, RunJobFlowCommandInput, StepConfig } from '@aws-sdk/client-emr';
import { EmrLaunchSpec, InstanceGroupShape, emrStepNamePrefix } from '@nfe-lake/lake-core';

/** One job run: the manifests it processes under a deterministic id. */
export interface JobRun {
  readonly jobRunId: string;
  readonly manifestKeys: readonly string[];
}

export const TAG_PREFIX = 'nfe-lake:';
/** The tag naming the dataset a run's cluster processes. */
export const DATASET_TAG = `${TAG_PREFIX}dataset`;

/** Step name carries the run id: how a second submission of the same run is recognised. */
export function stepName(spec: EmrLaunchSpec, run: JobRun): string {
  return `${emrStepNamePrefix(spec.dataset)}${run.jobRunId}`;
}

/** Cluster name of a transient run (EMR limit 256). */
export function clusterName(spec: EmrLaunchSpec, run: JobRun): string {
  return `${spec.clusterName}-${run.jobRunId}`.slice(0, 256);
}

/** spark-submit arguments of the job (the Spark job's config module parses them). */
export function sparkSubmitArgs(spec: EmrLaunchSpec, run: JobRun): string[] {
  const { job } = spec;
  return [
    'spark-submit',
    '--deploy-mode',
    'cluster',
    '--py-files',
    job.pyFilesUri,
    ...job.sparkSubmitArgs,
    job.entrypointUri,
    '--contract',
    job.contractUri,
    '--raw-root',
    `s3://${job.rawBucket}`,
    '--curated-root',
    `s3://${job.curatedBucket}`,
    '--analytics-root',
    `s3://${job.analyticsBucket}`,
    '--job-run-id',
    run.jobRunId,
    ...run.manifestKeys.flatMap((key) => ['--manifest-key', key]),
    '--table-format',
    job.tableFormat,
    '--compression',
    job.parquetCompression,
    '--target-file-size-mb',
    String(job.targetFileSizeMb),
    '--max-bad-record-ratio',
    String(job.maxBadRecordRatio),
    '--glue-database',
    job.glueDatabase,
  ];
}

export function sparkStep(spec: EmrLaunchSpec, run: JobRun): StepConfig {
  return {
    Name: stepName(spec, run),
    // a transient cluster exists for this step only; a shared cluster keeps serving other steps
    ActionOnFailure: spec.mode === 'transient' ? ActionOnFailure.TERMINATE_CLUSTER : ActionOnFailure.CONTINUE,
    HadoopJarStep: { Jar: 'command-runner.jar', Args: sparkSubmitArgs(spec, run) },
  };
}

export function runTags(spec: EmrLaunchSpec, run: JobRun): { Key: string; Value: string }[] {
  const tags = { ...spec.tags, [DATASET_TAG]: spec.dataset, [`${TAG_PREFIX}job-run-id`]: run.jobRunId, [`${TAG_PREFIX}manifests`]: String(run.manifestKeys.length) };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** RunJobFlow of a transient cluster: the launch spec's cluster shape under managed scaling, the Spark
 * step, termination once the steps are done and an idle timeout as a backstop. */
export function runJobFlowInput(spec: EmrLaunchSpec, run: JobRun): RunJobFlowCommandInput {
  const scaling = spec.cluster.managedScaling;
  return {
    Name: clusterName(spec, run),
    ReleaseLabel: spec.releaseLabel,
    Applications: spec.applications.map((Name) => ({ Name })),
    ServiceRole: spec.serviceRole,
    JobFlowRole: spec.jobFlowRole,
    SecurityConfiguration: spec.securityConfiguration,
    LogUri: spec.logUri,
    EbsRootVolumeSize: spec.cluster.rootVolumeSizeGb,
    VisibleToAllUsers: true,
    Instances: {
      InstanceGroups: spec.cluster.instanceGroups.map(instanceGroupConfig),
      KeepJobFlowAliveWhenNoSteps: false,
      TerminationProtected: false,
      ...(spec.subnetId ? { Ec2SubnetId: spec.subnetId } : {}),
    },
    ManagedScalingPolicy: {
      ComputeLimits: {
        UnitType: scaling.unitType,
        MinimumCapacityUnits: scaling.minimumCapacityUnits,
        MaximumCapacityUnits: scaling.maximumCapacityUnits,
        MaximumOnDemandCapacityUnits: scaling.maximumOnDemandCapacityUnits,
        MaximumCoreCapacityUnits: scaling.maximumCoreCapacityUnits,
      },
    },
    AutoTerminationPolicy: { IdleTimeout: spec.autoTerminationIdleTimeoutSeconds },
    Configurations: spec.configurations.map((c) => ({ Classification: c.classification, Properties: c.properties })),
    StepConcurrencyLevel: 1,
    Steps: [sparkStep(spec, run)],
    Tags: runTags(spec, run),
  };
}

/** One instance group of the cluster shape, as RunJobFlow takes it. */
export function instanceGroupConfig(group: InstanceGroupShape): InstanceGroupConfig {
  return {
    Name: group.name,
    InstanceRole: group.role,
    Market: group.market,
    InstanceType: group.instanceType,
    InstanceCount: group.instanceCount,
    EbsConfiguration: {
      EbsBlockDeviceConfigs: group.ebsVolumes.map((v) => ({ VolumeSpecification: { SizeInGB: v.sizeGb, VolumeType: v.volumeType }, VolumesPerInstance: v.volumesPerInstance })),
    },
  };
}
