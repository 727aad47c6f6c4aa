/**
 * emr-trigger against moto server over HTTP (S3 + EMR). moto's RunJobFlow does not keep
 * ManagedScalingPolicy or AutoTerminationPolicy (and has no Get* APIs for them), so those two are
 * asserted on the request body the SDK actually sent, captured by a middleware; everything moto
 * stores is asserted through DescribeCluster / ListInstanceGroups / ListSteps.
 */
import {
  DescribeClusterCommand,
  EMRClient,
  ListClustersCommand,
  ListInstanceGroupsCommand,
  ListStepsCommand,
  RunJobFlowCommand,
  TerminateJobFlowsCommand,
} from '@aws-sdk/client-emr';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { EmrLaunchSpecInput, emrLaunchSpecSchema, triggerMarkerKey } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { Trigger, TriggerError, runJobFlowInput } from '../src';
import { ARTEFACTS, RAW_BUCKET, SCHEDULED, SPEC_KEY, launchSpec, manifest, objectCreated, runRef } from './fixtures';

let aws: LocalAws;
let s3: S3Client;
let emr: EMRClient;
const sent: { target: string; body: Record<string, unknown> }[] = [];
const logger = new Logger({ serviceName: 'emr-trigger-test', logLevel: 'SILENT' });

beforeAll(async () => {
  aws = await startLocalAws();
  s3 = new S3Client(aws.clientConfig);
  emr = new EMRClient({ ...aws.clientConfig, maxAttempts: 2 });
  emr.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body?: string | Uint8Array };
      const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      sent.push({ target: request.headers['x-amz-target'] ?? '', body: JSON.parse(body || '{}') });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureSentRequest' },
  );
});

afterAll(async () => {
  s3?.destroy();
  emr?.destroy();
  await aws?.stop();
});

beforeEach(async () => {
  await aws.reset();
  sent.length = 0;
  await s3.send(new CreateBucketCommand({ Bucket: RAW_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: ARTEFACTS }));
});

async function putSpec(spec: EmrLaunchSpecInput | string) {
  await s3.send(new PutObjectCommand({ Bucket: ARTEFACTS, Key: SPEC_KEY, Body: typeof spec === 'string' ? spec : JSON.stringify(spec) }));
}

async function putManifest(runId: string, ingestDate?: string): Promise<string> {
  const { key, body } = manifest(runRef(runId, ingestDate));
  await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: JSON.stringify(body) }));
  return key;
}

function trigger(overrides: { maxManifestsPerRun?: number } = {}) {
  const config = { launchSpecUri: `s3://${ARTEFACTS}/${SPEC_KEY}`, rawBucket: RAW_BUCKET, maxManifestsPerRun: 24, emrMaxAttempts: 2, ...overrides };
  return new Trigger({ s3, emr, config, logger, now: () => new Date('2026-01-02T01:00:00Z') });
}

async function marker(runId: string, ingestDate?: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: RAW_BUCKET, Key: triggerMarkerKey(runRef(runId, ingestDate)) }));
  return JSON.parse(await object.Body!.transformToString());
}

async function liveClusters() {
  return (await emr.send(new ListClustersCommand({ ClusterStates: ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] }))).Clusters ?? [];
}

describe('transient mode', () => {
  it('starts a cluster from the launch spec with the Spark step, and records run -> cluster/step ids', async () => {
    await putSpec(launchSpec());
    const key = await putManifest('run-a');
    const result = await trigger().handle(objectCreated(key));

    expect(result.started).toHaveLength(1);
    const [run] = result.started;
    expect(run).toMatchObject({ jobRunId: 'run-a', mode: 'transient', manifestKeys: [key], adopted: false });
    const cluster = (await emr.send(new DescribeClusterCommand({ ClusterId: run.clusterId }))).Cluster!;
    expect(cluster).toMatchObject({
      Name: 'nfe-lake-processing-run-a',
      ReleaseLabel: 'emr-7.5.0',
      ServiceRole: 'nfe-lake-emr-service',
      SecurityConfiguration: 'nfe-lake-emr-security',
      LogUri: 's3://lake-logs/emr/',
      AutoTerminate: true,
      EbsRootVolumeSize: 40,
      StepConcurrencyLevel: 1,
    });
    expect(cluster.Ec2InstanceAttributes).toMatchObject({ IamInstanceProfile: 'nfe-lake-emr-ec2', Ec2SubnetId: 'subnet-0abc' });
    expect(cluster.Applications?.map((a) => a.Name)).toEqual(['Spark']);
    expect(cluster.Configurations?.[0].Classification).toBe('spark-hive-site');
    expect(Object.fromEntries(cluster.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      project: 'nfe-lake', 'nfe-lake:dataset': 'nfe_invoice', 'nfe-lake:job-run-id': 'run-a', 'nfe-lake:manifests': '1',
    });
    const groups = (await emr.send(new ListInstanceGroupsCommand({ ClusterId: run.clusterId }))).InstanceGroups!;
    expect(groups.map((g) => [g.InstanceGroupType, g.InstanceType, g.RequestedInstanceCount]).sort()).toEqual([
      ['CORE', 'm7g.2xlarge', 2],
      ['MASTER', 'm7g.xlarge', 1],
    ]);
    const steps = (await emr.send(new ListStepsCommand({ ClusterId: run.clusterId }))).Steps!;
    expect(steps.map((s) => s.Id)).toEqual(run.stepIds);
    expect(steps[0]).toMatchObject({ Name: 'nfe-lake nfe_invoice run-a', ActionOnFailure: 'TERMINATE_CLUSTER' });
    expect(steps[0].Config?.Jar).toBe('command-runner.jar');
    expect(steps[0].Config?.Args).toEqual(expect.arrayContaining(['--job-run-id', 'run-a', '--manifest-key', key, '--raw-root', 's3://lake-raw']));

    // not stored by moto: asserted on what went over the wire
    const request = sent.find((r) => r.target.endsWith('.RunJobFlow'))!.body;
    expect(request.ManagedScalingPolicy).toEqual({
      ComputeLimits: { UnitType: 'Instances', MinimumCapacityUnits: 2, MaximumCapacityUnits: 10, MaximumOnDemandCapacityUnits: 4, MaximumCoreCapacityUnits: 3 },
    });
    expect(request.AutoTerminationPolicy).toEqual({ IdleTimeout: 900 });

    expect(await marker('run-a')).toMatchObject({ state: 'started', jobRunId: 'run-a', clusterId: run.clusterId, stepIds: run.stepIds, manifestKeys: [key] });
  });

  it('never starts a second run for a duplicated event', async () => {
    await putSpec(launchSpec());
    const key = await putManifest('run-a');
    const first = await trigger().handle(objectCreated(key));
    const second = await trigger().handle(objectCreated(key));
    expect(second).toEqual({ started: [], alreadyClaimed: [key], deferred: [], ignored: [] });
    expect((await liveClusters()).map((c) => c.Id)).toEqual([first.started[0].clusterId]);
    expect(sent.filter((r) => r.target.endsWith('.RunJobFlow'))).toHaveLength(1);
  });

  it('adopts a cluster already running the same job run instead of starting another', async () => {
    // a previous attempt started the cluster but its marker is gone (e.g. deleted by hand)
    await putSpec(launchSpec());
    const key = await putManifest('run-a');
    const spec = emrLaunchSpecSchema.parse(launchSpec());
    const previous = (await emr.send(new RunJobFlowCommand(runJobFlowInput(spec, { jobRunId: 'run-a', manifestKeys: [key] })))).JobFlowId!;
    const previousSteps = (await emr.send(new ListStepsCommand({ ClusterId: previous }))).Steps!.map((s) => s.Id);
    sent.length = 0;
    const again = await trigger().handle(objectCreated(key));
    expect(again.started[0]).toMatchObject({ clusterId: previous, stepIds: previousSteps, adopted: true });
    expect(sent.filter((r) => r.target.endsWith('.RunJobFlow'))).toHaveLength(0);
    expect(await marker('run-a')).toMatchObject({ state: 'started', adopted: true, clusterId: previous });
  });

  it('groups pending manifests on a schedule, one transient run of the dataset at a time', async () => {
    await putSpec(launchSpec());
    const claimedKey = await putManifest('run-1', '2026-01-01');
    const first = await trigger().handle(objectCreated(claimedKey));
    const pending = [await putManifest('run-2', '2026-01-02'), await putManifest('run-3', '2026-01-03'), await putManifest('run-4', '2026-01-04')];
    await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: '_manifests/readme.txt', Body: 'not a manifest' }));

    // run-1's cluster is still up: nothing starts, nothing stays claimed
    expect(await trigger({ maxManifestsPerRun: 2 }).handle(SCHEDULED)).toEqual({ started: [], alreadyClaimed: [], deferred: pending, ignored: ['_manifests/readme.txt'] });
    await expect(marker('run-2', '2026-01-02')).rejects.toMatchObject({ name: 'NoSuchKey' });

    await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [first.started[0].clusterId] }));
    const second = await trigger({ maxManifestsPerRun: 2 }).handle(SCHEDULED);
    expect(second.started.map((r) => r.manifestKeys)).toEqual([pending.slice(0, 2)]);
    expect(second.deferred).toEqual(pending.slice(2));
    expect(second.started[0].jobRunId).toMatch(/^run-2\.n2\.[0-9a-f]{12}$/);
    const steps = (await emr.send(new ListStepsCommand({ ClusterId: second.started[0].clusterId }))).Steps!;
    expect(steps[0].Config?.Args).toEqual(expect.arrayContaining(['--manifest-key', pending[0], '--manifest-key', pending[1]]));
    expect((await marker('run-3', '2026-01-03')).jobRunId).toBe(second.started[0].jobRunId);

    await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [second.started[0].clusterId] }));
    const third = await trigger({ maxManifestsPerRun: 2 }).handle(SCHEDULED);
    expect(third.started.map((r) => [r.jobRunId, r.manifestKeys])).toEqual([['run-4', pending.slice(2)]]);
    expect((await trigger().handle(SCHEDULED)).started).toEqual([]);
  });
});

describe('several datasets in one lake', () => {
  // what SparkProcessing renders: one spec per dataset, cluster names from the dataset name
  const specOf = (dataset: string) => ({ key: `launch-spec/${dataset}.json`, spec: launchSpec({ dataset, clusterName: `lake-spark-${dataset.replace(/_/g, '-')}` }) });
  const triggerOf = (dataset: string) =>
    new Trigger({ s3, emr, config: { launchSpecUri: `s3://${ARTEFACTS}/${specOf(dataset).key}`, rawBucket: RAW_BUCKET, maxManifestsPerRun: 24, emrMaxAttempts: 2 }, logger, now: () => new Date('2026-01-02T01:00:00Z') });
  async function putDatasetManifest(dataset: string, runId: string): Promise<string> {
    const { key, body } = manifest(runRef(runId, '2026-01-02', dataset, `${dataset.replace(/_/g, '-')}-api`));
    await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: JSON.stringify(body) }));
    return key;
  }

  it('runs each dataset on its own cluster: a live run of one dataset never holds back another whose name it starts with', async () => {
    for (const dataset of ['orders', 'orders_eu']) {
      const { key, spec } = specOf(dataset);
      await s3.send(new PutObjectCommand({ Bucket: ARTEFACTS, Key: key, Body: JSON.stringify(spec) }));
    }
    const eu = await triggerOf('orders_eu').handle(objectCreated(await putDatasetManifest('orders_eu', 'run-1')));
    expect(eu.started).toHaveLength(1);
    const orders = await triggerOf('orders').handle(objectCreated(await putDatasetManifest('orders', 'run-1')));
    expect(orders.started).toHaveLength(1);
    expect((await liveClusters()).map((c) => c.Name).sort()).toEqual(['lake-spark-orders-eu-run-1', 'lake-spark-orders-run-1']);
    // each trigger sweeps only its dataset's manifests, and still runs its dataset one run at a time
    const next = await putDatasetManifest('orders', 'run-2');
    expect(await triggerOf('orders').handle(SCHEDULED)).toMatchObject({ started: [], deferred: [next] });
    expect(await triggerOf('orders_eu').handle(SCHEDULED)).toMatchObject({ started: [], deferred: [], ignored: expect.arrayContaining([next]) });
  });
});

describe('persistent mode', () => {
  async function persistentCluster(): Promise<string> {
    const out = await emr.send(
      new RunJobFlowCommand({ Name: 'shared', ReleaseLabel: 'emr-7.5.0', Instances: { KeepJobFlowAliveWhenNoSteps: true, InstanceCount: 1, MasterInstanceType: 'm5.xlarge' } }),
    );
    return out.JobFlowId!;
  }

  it('adds the Spark step to the configured cluster, once per manifest', async () => {
    const clusterId = await persistentCluster();
    await putSpec(launchSpec({ mode: 'persistent', persistentClusterId: clusterId }));
    const key = await putManifest('run-p');
    const result = await trigger().handle(objectCreated(key));
    expect(result.started[0]).toMatchObject({ clusterId, mode: 'persistent', adopted: false });
    await trigger().handle(objectCreated(key));
    const steps = (await emr.send(new ListStepsCommand({ ClusterId: clusterId }))).Steps!;
    expect(steps.map((s) => [s.Id, s.Name, s.ActionOnFailure])).toEqual([[result.started[0].stepIds[0], 'nfe-lake nfe_invoice run-p', 'CONTINUE']]);
    expect(await liveClusters()).toHaveLength(1);
    expect((await marker('run-p')).stepIds).toEqual(result.started[0].stepIds);
  });

  it('fails clearly for a missing cluster and releases the claim so a retry can start the run', async () => {
    await putSpec(launchSpec({ mode: 'persistent', persistentClusterId: 'j-MISSING' }));
    const key = await putManifest('run-p');
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(/persistent cluster j-MISSING \(launch spec persistentClusterId\) not found/);
    await expect(marker('run-p')).rejects.toMatchObject({ name: 'NoSuchKey' });

    const clusterId = await persistentCluster();
    await putSpec(launchSpec({ mode: 'persistent', persistentClusterId: clusterId }));
    expect((await trigger().handle(objectCreated(key))).started).toHaveLength(1);
  });

  it('refuses a terminated cluster', async () => {
    const clusterId = await persistentCluster();
    await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] }));
    await putSpec(launchSpec({ mode: 'persistent', persistentClusterId: clusterId }));
    const key = await putManifest('run-p');
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(new RegExp(`persistent cluster ${clusterId} is TERMINATED`));
  });
});

describe('bad input', () => {
  it('names the launch spec and the invalid fields', async () => {
    const key = await putManifest('run-a');
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(`launch spec not found at s3://${ARTEFACTS}/${SPEC_KEY} (NoSuchKey)`);
    await putSpec('{"version": 1');
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(/launch spec at s3:\/\/lake-artefacts\/emr\/launch-spec.json is not JSON/);
    await putSpec(JSON.stringify({ ...launchSpec(), version: 1 }));
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(/is invalid: version: expected 2: the spec was rendered by another infra-modules version than this emr-trigger; deploy both from one release/);
    await putSpec({ ...launchSpec(), releaseLabel: '7.5', mode: 'persistent' });
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(/is invalid: releaseLabel: .*; persistentClusterId: persistent mode needs persistentClusterId/);
    // a spec edited by hand: a format the job does not write
    await putSpec(JSON.stringify(launchSpec({ job: { ...launchSpec().job, tableFormat: 'parquet' } })).replace('"parquet"', '"iceberg"'));
    await expect(trigger().handle(objectCreated(key))).rejects.toThrow(/job\.tableFormat: Invalid option: expected one of "parquet"\|"delta"/);
    expect(await liveClusters()).toEqual([]);
  });

  it('rejects an invalid manifest by key, still starting the valid ones of a sweep', async () => {
    await putSpec(launchSpec());
    await putManifest('run-good', '2026-01-01');
    const { key } = manifest(runRef('run-bad'));
    await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: JSON.stringify({ ...manifest(runRef('run-bad')).body, records: -1 }) }));
    const error = await trigger().handle(SCHEDULED).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TriggerError);
    expect((error as Error).message).toMatch(new RegExp(`run manifest s3://lake-raw/${key.replace(/[.]/g, '\\.')} is invalid: records: `));
    expect((await marker('run-good', '2026-01-01')).state).toBe('started');
    await expect(marker('run-bad')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('ignores keys that are not manifests and refuses events of another bucket', async () => {
    await putSpec(launchSpec());
    expect(await trigger().handle(objectCreated('demo-api/nfe_invoice/ingest_date=2026-01-02/run=r.part-000000.jsonl.gz'))).toEqual({
      started: [], alreadyClaimed: [], deferred: [], ignored: ['demo-api/nfe_invoice/ingest_date=2026-01-02/run=r.part-000000.jsonl.gz'],
    });
    await expect(trigger().handle(objectCreated('_manifests/x.json', 'other-bucket'))).rejects.toThrow(/event for bucket "other-bucket", but this trigger watches RAW_BUCKET "lake-raw"/);
  });

  it('decodes URL-encoded keys of S3 events', async () => {
    await putSpec(launchSpec());
    const key = await putManifest('run-a');
    const result = await trigger().handle(objectCreated(key.replace(/=/g, '%3D')));
    expect(result.started[0].manifestKeys).toEqual([key]);
  });
});
