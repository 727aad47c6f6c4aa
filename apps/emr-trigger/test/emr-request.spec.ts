import { emrLaunchSpecSchema } from '@nfe-lake/lake-core';
import { runJobFlowInput, sparkStep, sparkSubmitArgs } from '../src/emr-request';
import { launchSpec } from './fixtures';

const run = { jobRunId: 'run-1', manifestKeys: ['_manifests/a.json', '_manifests/b.json'] };

describe('RunJobFlow request builder', () => {
  const spec = emrLaunchSpecSchema.parse(launchSpec());
  const input = runJobFlowInput(spec, run);

  it('puts managed scaling limits and the idle auto-termination of the spec in the request', () => {
    expect(input.ManagedScalingPolicy).toEqual({
      ComputeLimits: { UnitType: 'Instances', MinimumCapacityUnits: 2, MaximumCapacityUnits: 10, MaximumOnDemandCapacityUnits: 4, MaximumCoreCapacityUnits: 3 },
    });
    expect(input.AutoTerminationPolicy).toEqual({ IdleTimeout: 900 });
  });

  it('terminates after the steps, with one primary and the core group', () => {
    expect(input.Instances?.KeepJobFlowAliveWhenNoSteps).toBe(false);
    expect(input.Instances?.InstanceGroups?.map((g) => [g.InstanceRole, g.InstanceType, g.InstanceCount])).toEqual([
      ['MASTER', 'm7g.xlarge', 1],
      ['CORE', 'm7g.2xlarge', 2],
    ]);
    expect(input.Instances?.InstanceGroups?.map((g) => [g.Market, g.EbsConfiguration])).toEqual([
      ['ON_DEMAND', { EbsBlockDeviceConfigs: [{ VolumeSpecification: { SizeInGB: 64, VolumeType: 'gp3' }, VolumesPerInstance: 1 }] }],
      ['ON_DEMAND', { EbsBlockDeviceConfigs: [{ VolumeSpecification: { SizeInGB: 128, VolumeType: 'gp3' }, VolumesPerInstance: 2 }] }],
    ]);
    expect(input.EbsRootVolumeSize).toBe(40);
    expect(input.Steps?.[0].ActionOnFailure).toBe('TERMINATE_CLUSTER');
  });

  it('passes every job setting of the spec and each manifest to spark-submit', () => {
    expect(sparkSubmitArgs(spec, run)).toEqual([
      'spark-submit', '--deploy-mode', 'cluster', '--py-files', 's3://lake-artefacts/jobs/spark/lake_job.zip',
      '--conf', 'spark.sql.shuffle.partitions=64', 's3://lake-artefacts/jobs/spark/main.py',
      '--contract', 's3://lake-artefacts/contracts/nfe_invoice.contract.json', '--raw-root', 's3://lake-raw', '--curated-root', 's3://lake-curated',
      '--analytics-root', 's3://lake-analytics', '--job-run-id', 'run-1', '--manifest-key', '_manifests/a.json', '--manifest-key', '_manifests/b.json',
      '--table-format', 'parquet', '--compression', 'zstd', '--target-file-size-mb', '128', '--max-bad-record-ratio', '0.01', '--glue-database', 'nfe_lake',
    ]);
  });

  it('keeps a persistent cluster alive when a step fails', () => {
    const persistent = emrLaunchSpecSchema.parse(launchSpec({ mode: 'persistent', persistentClusterId: 'j-1' }));
    expect(sparkStep(persistent, run).ActionOnFailure).toBe('CONTINUE');
  });
});
