import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { EmrCluster } from '@cdktf/provider-aws/lib/emr-cluster';
import { EmrManagedScalingPolicy } from '@cdktf/provider-aws/lib/emr-managed-scaling-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { DatasetContract, InstanceGroupShape, emrLaunchSpecSchema, instanceGroup, sourceSchema } from '@nfe-lake/lake-core';
import { DatasetContractObject, LakeDatabase, SparkProcessing, SparkProcessingProps } from '../src';
import { artefactFixtures, nfeInvoice, shopOrders } from './fixtures';
import { KEY_ARN, policyStatements, resources, storageIn, synthWith } from './helpers';

const artefacts = artefactFixtures();
const source = sourceSchema.parse({ name: 'nfe-api', dataset: 'nfe_invoice', baseUrl: 'https://api.example.com', path: '/v1/invoices', pagination: { type: 'none' } });

function processing(props: Partial<SparkProcessingProps> = {}, datasets: readonly DatasetContract[] = [nfeInvoice]) {
  return synthWith((stack) => {
    const storage = storageIn(stack);
    const database = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
    database.addRawTable(nfeInvoice, source.name, storage.raw);
    const contracts = datasets.map((contract) => new DatasetContractObject(stack, `Contract-${contract.name}`, { contract, bucket: storage.artefacts, key: storage.key }));
    new SparkProcessing(stack, 'Spark', {
      contracts,
      namePrefix: 'nfe-test',
      key: storage.key,
      rawBucket: storage.raw,
      curatedBucket: storage.curated,
      analyticsBucket: storage.analytics,
      artefactsBucket: storage.artefacts,
      database,
      sources: [source],
      triggerCodeDirectory: artefacts.triggerCodeDirectory,
      jobDirectory: artefacts.jobDirectory,
      ...props,
    });
  });
}

const launchSpec = (tf: ReturnType<typeof synthWith>['tf']) => JSON.parse(resources(tf, 'aws_s3_object').find((o) => o.key === 'launch-spec/nfe_invoice.json')!.content);

describe('SparkProcessing (transient, the default)', () => {
  const { json, tf } = processing();
  const spec = launchSpec(tf);

  it('renders a launch spec emr-trigger accepts, with Terraform-resolved names and lake-core defaults', () => {
    expect(() => emrLaunchSpecSchema.parse(spec)).not.toThrow();
    expect(spec).toMatchObject({
      mode: 'transient',
      dataset: 'nfe_invoice',
      releaseLabel: 'emr-7.12.0',
      serviceRole: expect.stringMatching(/^\$\{aws_iam_role\..*ServiceRole.*\.name\}$/),
      jobFlowRole: expect.stringMatching(/^\$\{aws_iam_instance_profile\..*\.name\}$/),
      securityConfiguration: expect.stringMatching(/^\$\{aws_emr_security_configuration\..*\.name\}$/),
      logUri: expect.stringMatching(/^s3:\/\/\$\{aws_s3_bucket\.Storage_Artefacts.*\}\/emr-logs\/$/),
      cluster: {
        rootVolumeSizeGb: 32,
        instanceGroups: [
          { name: 'primary', role: 'MASTER', market: 'ON_DEMAND', instanceType: 'm7g.xlarge', instanceCount: 1, ebsVolumes: [{ sizeGb: 64, volumeType: 'gp3', volumesPerInstance: 1 }] },
          { name: 'core', role: 'CORE', market: 'ON_DEMAND', instanceType: 'm7g.xlarge', instanceCount: 2, ebsVolumes: [{ sizeGb: 64, volumeType: 'gp3', volumesPerInstance: 1 }] },
        ],
        managedScaling: { unitType: 'Instances', minimumCapacityUnits: 2, maximumCapacityUnits: 10, maximumOnDemandCapacityUnits: 10, maximumCoreCapacityUnits: 3 },
      },
      autoTerminationIdleTimeoutSeconds: 3600,
      configurations: [{ classification: 'spark-hive-site', properties: { 'hive.metastore.client.factory.class': expect.stringContaining('AWSGlueDataCatalogHiveClientFactory') } }],
      job: { tableFormat: 'parquet', parquetCompression: 'zstd', glueDatabase: expect.stringContaining('aws_glue_catalog_database'), contractUri: expect.stringMatching(/^s3:\/\/\$\{aws_s3_bucket\.Storage_Artefacts.*\}\/contracts\/nfe_invoice\.contract\.json$/) },
      tags: { 'nfe-lake': 'nfe-test', 'for-use-with-amazon-emr-managed-policies': 'true' },
    });
    expect(spec.persistentClusterId).toBeUndefined();
    expect(json).not.toHaveResource(EmrCluster);
  });

  it('uploads the job entrypoint and py-files, KMS-encrypted, re-uploaded when they change', () => {
    const objects = resources(tf, 'aws_s3_object');
    expect(objects.map((o) => o.key).sort()).toEqual(['contracts/nfe_invoice.contract.json', 'jobs/spark/lake_job.zip', 'jobs/spark/main.py', 'launch-spec/nfe_invoice.json']);
    expect(objects.every((o) => o.server_side_encryption === 'aws:kms' && o.kms_key_id === KEY_ARN)).toBe(true);
    expect(objects.filter((o) => o.source).every((o) => /^[0-9A-F]{32}$/.test(o.source_hash) && o.source.includes(`/${o.source_hash}/`))).toBe(true);
    expect(json).toHaveResourceWithProperties(S3Object, { key: 'jobs/spark/main.py', source: expect.stringMatching(/^assets\//) });
  });

  it('security configuration: SSE-KMS for S3, KMS local disk + EBS, TLS in transit, IMDSv2', () => {
    const config = JSON.parse(resources(tf, 'aws_emr_security_configuration')[0].configuration);
    expect(config).toEqual({
      EncryptionConfiguration: {
        EnableAtRestEncryption: true,
        EnableInTransitEncryption: true,
        AtRestEncryptionConfiguration: {
          S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: KEY_ARN },
          LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: KEY_ARN, EnableEbsEncryption: true },
        },
        InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: expect.stringMatching(/\/emr\/tls\/certificates\.zip$/) } },
      },
      InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
    });
    // account-wide, so the account baseline's, not the processing stack's
    expect(resources(tf, 'aws_emr_block_public_access_configuration')).toEqual([]);
  });

  it('roles: the scoped EMR v2 service policy; nodes read raw and write curated/analytics and the catalog', () => {
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'nfe-test-emr-service', managed_policy_arns: ['arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2'] });
    const service = policyStatements(tf, 'nfe-test-emr-service');
    expect(service).toContainEqual(expect.objectContaining({ Action: ['iam:PassRole'], Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }));
    // confused deputy: EMR may assume the service role only for this account's clusters
    const trust = JSON.parse(resources(tf, 'aws_iam_role').find((r) => r.name === 'nfe-test-emr-service')!.assume_role_policy).Statement[0];
    expect(trust).toEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'elasticmapreduce.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': expect.stringContaining('account_id') }, ArnLike: { 'aws:SourceArn': expect.stringMatching(/^arn:.*:elasticmapreduce:.*:\*$/) } },
    });
    const scheduler = JSON.parse(resources(tf, 'aws_iam_role').find((r) => r.name.endsWith('-scheduler'))!.assume_role_policy).Statement[0];
    expect(scheduler.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': expect.stringContaining('account_id') } });
    const nodes = policyStatements(tf, 'nfe-test-emr-instance');
    const writes = nodes.filter((s) => s.Action.includes('s3:PutObject')).flatMap((s) => s.Resource as string[]);
    expect(writes.map((r) => r.replace(/^\$\{aws_s3_bucket\.Storage_([A-Za-z]+)_.*\.arn\}/, '$1'))).toEqual(['Curated/*', 'Analytics/*', 'Artefacts/emr-logs/*']);
    // the job overwrites partitions on a re-run: without DeleteObject the first re-run on AWS fails (moto does not enforce IAM)
    const deletes = nodes.filter((s) => s.Action.includes('s3:DeleteObject')).flatMap((s) => s.Resource as string[]);
    expect(deletes.map((r) => r.replace(/^\$\{aws_s3_bucket\.Storage_([A-Za-z]+)_.*\.arn\}/, '$1'))).toEqual(['Curated/*', 'Analytics/*']);
    expect(nodes.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['glue:BatchCreatePartition', 'kms:GenerateDataKey*']));
  });

  it('the trigger: a Lambda per dataset with the launch spec URI, fired by manifest events and a catch-up schedule', () => {
    const fn = resources(tf, 'aws_lambda_function')[0];
    expect(fn.function_name).toBe('nfe-test-emr-trigger-nfe-invoice');
    expect(fn.environment.variables.LAUNCH_SPEC_URI).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.Storage_Artefacts.*\}\/launch-spec\/nfe_invoice\.json$/);
    expect(fn.environment.variables.RAW_BUCKET).toContain('Storage_Raw');
    const pattern = JSON.parse(resources(tf, 'aws_cloudwatch_event_rule')[0].event_pattern);
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [expect.stringContaining('Storage_Raw')] }, object: { key: [{ prefix: '_manifests/nfe-api/nfe_invoice/' }] } },
    });
    expect(json).toHaveResourceWithProperties(CloudwatchEventRule, { name: 'nfe-test-manifest-nfe-invoice' });
    expect(json).toHaveResourceWithProperties(LambdaPermission, { principal: 'events.amazonaws.com', action: 'lambda:InvokeFunction' });
    const schedule = resources(tf, 'aws_scheduler_schedule')[0];
    expect(schedule.schedule_expression).toBe('rate(1 day)');
    expect(JSON.parse(schedule.target.input)).toEqual({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  });

  it('the trigger may start only tagged lake clusters and pass only the lake roles', () => {
    const statements = policyStatements(tf, 'nfe-test-emr-trigger-nfe-invoice');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['elasticmapreduce:RunJobFlow'], Condition: { StringEquals: { 'aws:RequestTag/nfe-lake': 'nfe-test' } } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['elasticmapreduce:AddJobFlowSteps']), Condition: { StringEquals: { 'aws:ResourceTag/nfe-lake': 'nfe-test' } } }));
    // each role only to the service that uses it
    expect(statements.filter((s) => s.Action.includes('iam:PassRole')).map((s) => [s.Resource, s.Condition])).toEqual([
      [[expect.stringContaining('ServiceRole')], { StringLike: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com*' } }],
      [[expect.stringContaining('InstanceRole')], { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com*' } }],
    ]);
    const markerWrites = statements.filter((s) => s.Action.includes('s3:PutObject') || s.Action.includes('s3:DeleteObject')).flatMap((s) => s.Resource as string[]);
    expect(markerWrites.every((r) => r.endsWith('/_control/emr-trigger/nfe-api/nfe_invoice/*'))).toBe(true);
  });
});

describe('SparkProcessing options', () => {
  it('persistent: one primary, core capacity, managed scaling, idle auto-termination; the spec names the cluster', () => {
    const { json, tf } = processing({ mode: 'persistent', subnetId: 'subnet-1', minCapacityUnits: 3, maxCapacityUnits: 8, maxCoreCapacityUnits: 2, idleTimeoutSeconds: 7200, releaseLabel: 'emr-7.5.0', tableFormat: 'delta', dataVolumeSizeGb: 200, sources: [{ ...source, schedule: 'rate(1 hour)' }] });
    expect(json).toHaveResourceWithProperties(EmrCluster, {
      name: 'nfe-test-spark',
      release_label: 'emr-7.5.0',
      applications: ['Spark'],
      auto_termination_policy: { idle_timeout: 7200 },
      keep_job_flow_alive_when_no_steps: true,
      log_encryption_kms_key_id: KEY_ARN,
    });
    const cluster = resources(tf, 'aws_emr_cluster')[0];
    expect(cluster.master_instance_group).toMatchObject({ instance_count: 1, instance_type: 'm7g.xlarge' });
    expect(cluster.core_instance_group).toMatchObject({ instance_count: 2 });
    expect(cluster.ec2_attributes).toMatchObject({ subnet_id: 'subnet-1' });
    expect(JSON.parse(cluster.configurations_json).map((c: { Classification: string }) => c.Classification)).toEqual(['spark-hive-site', 'delta-defaults']);
    expect(json).toHaveResourceWithProperties(EmrManagedScalingPolicy, {
      compute_limits: [{ unit_type: 'Instances', minimum_capacity_units: 3, maximum_capacity_units: 8, maximum_core_capacity_units: 2, maximum_ondemand_capacity_units: 8 }],
    });
    const spec = launchSpec(tf);
    // the persistent cluster and a transient one (RunJobFlow from the spec) have one shape
    const asTerraform = (g: InstanceGroupShape) => ({
      instance_type: g.instanceType,
      instance_count: g.instanceCount,
      ebs_config: g.ebsVolumes.map((v) => ({ size: v.sizeGb, type: v.volumeType, volumes_per_instance: v.volumesPerInstance })),
    });
    expect(cluster.master_instance_group).toEqual(asTerraform(instanceGroup(spec.cluster, 'MASTER')));
    expect(cluster.core_instance_group).toEqual(asTerraform(instanceGroup(spec.cluster, 'CORE')));
    expect(cluster.core_instance_group.ebs_config).toEqual([{ size: 200, type: 'gp3', volumes_per_instance: 1 }]);
    expect(cluster.ebs_root_volume_size).toBe(spec.cluster.rootVolumeSizeGb);
    expect(spec).toMatchObject({ mode: 'persistent', persistentClusterId: expect.stringMatching(/^\$\{aws_emr_cluster\..*\.id\}$/), subnetId: 'subnet-1' });
    expect(() => emrLaunchSpecSchema.parse(spec)).not.toThrow();
  });

  it('can leave the EMR managed policy off (where it does not exist)', () => {
    const { tf } = processing({ attachEmrServicePolicy: false });
    expect(resources(tf, 'aws_iam_role').find((r) => r.name === 'nfe-test-emr-service')!.managed_policy_arns).toBeUndefined();
  });

  it('rejects bad settings and missing artefacts with the value and the fix', () => {
    expect(() => processing({ maxCoreCapacityUnits: 20 })).toThrow('invalid maxCoreCapacityUnits: got 20; it cannot exceed maxCapacityUnits (10)');
    expect(() => processing({ minCapacityUnits: 5, maxCapacityUnits: 4 })).toThrow(/invalid processing settings: maxCapacityUnits: got 4; maxCapacityUnits must be >= minCapacityUnits/);
    expect(() => processing({ releaseLabel: '7.0' })).toThrow(/releaseLabel: got "7.0"/);
    // a persistent cluster that idles out between two collector runs leaves the trigger nothing to add steps to
    expect(() => processing({ mode: 'persistent', subnetId: 'subnet-1', idleTimeoutSeconds: 3600 })).toThrow(
      'invalid idleTimeoutSeconds: got idleTimeoutSeconds 3600 but the most frequent source runs every 86400 s: the persistent cluster would terminate between runs',
    );
    expect(() => processing({ mode: 'persistent', subnetId: 'subnet-1', sources: [{ ...source, schedule: 'cron(15 2 * * ? *)' }] })).toThrow(
      /invalid idleTimeoutSeconds: got idleTimeoutSeconds 3600 with only cron source schedules \(cron\(15 2 \* \* \? \*\)\), whose gaps cannot be checked/,
    );
    expect(() => processing({ mode: 'persistent', subnetId: 'subnet-1', idleTimeoutSeconds: 90_000 })).not.toThrow();
    expect(() => processing({ jobDirectory: '/nonexistent' })).toThrow(/missing \/nonexistent\/main.py; build the Spark job first/);
    expect(() => processing({ contracts: [] })).toThrow('no dataset contracts given: processing needs at least one dataset');
    expect(() => processing({ sources: [] })).toThrow('invalid contracts: dataset nfe_invoice has no source to trigger on; add a source for it or drop the contract');
    expect(() => processing({ sources: [source, { ...source, name: 'shop-api', dataset: 'shop_orders' }] })).toThrow(
      'invalid sources: source shop-api feeds dataset "shop_orders", which has no contract here; pass its contract (known: nfe_invoice)',
    );
  });
});

describe('SparkProcessing with several datasets (nfe_invoice and shop_orders)', () => {
  const shopSource = sourceSchema.parse({ name: 'shop-api', dataset: 'shop_orders', baseUrl: 'https://shop.example.com', path: '/v1/orders', pagination: { type: 'none' } });
  const { tf } = processing({ sources: [source, shopSource] }, [nfeInvoice, shopOrders]);
  const specs = resources(tf, 'aws_s3_object').filter((o) => o.key.startsWith('launch-spec/'));

  it('renders one launch spec per dataset, each pointing at its own exported contract', () => {
    expect(specs.map((o) => o.key).sort()).toEqual(['launch-spec/nfe_invoice.json', 'launch-spec/shop_orders.json']);
    for (const object of specs) {
      const spec = emrLaunchSpecSchema.parse(JSON.parse(object.content));
      expect(spec.job.contractUri.endsWith(`/contracts/${spec.dataset}.contract.json`)).toBe(true);
      expect(spec.job.pyFilesUri).toMatch(/\/jobs\/spark\/lake_job\.zip$/);
    }
  });

  it('gives each dataset its own trigger, fired by its own source\'s manifests; the nodes read every contract', () => {
    expect(resources(tf, 'aws_lambda_function').map((f) => f.function_name).sort()).toEqual(['nfe-test-emr-trigger-nfe-invoice', 'nfe-test-emr-trigger-shop-orders']);
    const prefixes = resources(tf, 'aws_cloudwatch_event_rule').map((r) => JSON.parse(r.event_pattern).detail.object.key[0].prefix).sort();
    expect(prefixes).toEqual(['_manifests/nfe-api/nfe_invoice/', '_manifests/shop-api/shop_orders/']);
    const reads = policyStatements(tf, 'nfe-test-emr-instance').filter((s) => s.Action.includes('s3:GetObject')).flatMap((s) => s.Resource as string[]);
    expect(reads.filter((r) => r.includes('/contracts/')).map((r) => r.split('/').pop()).sort()).toEqual(['nfe_invoice.contract.json', 'shop_orders.contract.json']);
  });
});
