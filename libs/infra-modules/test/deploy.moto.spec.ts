/**
 * The local environment deployed for real: `terraform apply` of every stack against moto server
 * over HTTP, read back with the AWS SDK, then `terraform plan` of what moto cannot apply, then
 * `terraform destroy` (named queries included: local-aws's moto implements DeleteNamedQuery), once refused (the
 * lake stack without the data-destruction flags) and once done (lake.local.json sets both). One moto
 * server and one apply for the whole file.
 */
import { AthenaClient, GetWorkGroupCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import { DescribeSecurityConfigurationCommand, EMRClient, GetBlockPublicAccessConfigurationCommand } from '@aws-sdk/client-emr';
import { GetDatabaseCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LakeConfig, emrLaunchSpecSchema, rawGlueColumns, tableGlueColumns } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { App } from 'cdktf';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildLakeStacks } from '../src';
import { artefactFixtures, configFile, lakeConfig, nfeInvoice } from './fixtures';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const STACKS = ['lake', 'ingestion', 'processing', 'query', 'account'] as const;

let aws: LocalAws;
const clients: { destroy(): void }[] = [];
/** An SDK client on moto, closed after the suite. */
function client<T extends { destroy(): void }>(make: new (config: LocalAws['clientConfig']) => T): T {
  const c = new make(aws.clientConfig);
  clients.push(c);
  return c;
}
let root: string;
let config: LakeConfig;
const applied: string[] = [];

/** Synthesises an environment into `<root>/<name>`; every app under `root` shares `<root>/terraform-state`. */
function synth(name: string, cfg: LakeConfig): string {
  const app = new App({ outdir: join(root, name) });
  buildLakeStacks(app, cfg, artefacts);
  app.synth();
  return app.outdir;
}

async function terraform(outdir: string, stack: string, ...args: string[]): Promise<string> {
  const cwd = join(outdir, 'stacks', stack);
  const env = { ...process.env, ...aws.env, TF_IN_AUTOMATION: '1' };
  try {
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd, env });
    const flags = ['apply', 'destroy', 'plan'].includes(args[0]) ? ['-input=false', '-no-color'] : [];
    const { stdout } = await run('terraform', [...args, ...flags], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args[0]} ${stack} failed:\n${err.stderr || err.message}\n${(err.stdout ?? '').slice(-3000)}`);
  }
}

const artefacts = artefactFixtures();
let outdir: string;
const id = (name: (typeof STACKS)[number]) => `nfe-local-${name}`;

beforeAll(async () => {
  aws = await startLocalAws();
  root = mkdtempSync(join(tmpdir(), 'infra-moto-'));
  config = lakeConfig('local', { localEndpoint: aws.endpoint });
  outdir = synth('cdktf.out', config);
  await terraform(outdir, id('lake'), 'apply', '-auto-approve');
  applied.push(id('lake'));
  // the compute and account stacks only depend on the lake stack: apply them side by side
  await Promise.all(
    (['ingestion', 'processing', 'query', 'account'] as const).map(async (name) => {
      await terraform(outdir, id(name), 'apply', '-auto-approve');
      applied.push(id(name));
    }),
  );
}, 600_000);

afterAll(async () => {
  if (!aws) return;
  try {
    // destroy what was applied, compute stacks first, and report every failure
    const compute = applied.filter((s) => s !== id('lake'));
    const results = await Promise.allSettled(compute.map((s) => terraform(outdir, s, 'destroy', '-auto-approve')));
    if (applied.includes(id('lake'))) results.push(...(await Promise.allSettled([terraform(outdir, id('lake'), 'destroy', '-auto-approve')])));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
    if (failures.length) throw new Error(failures.join('\n'));
  } finally {
    for (const client of clients) client.destroy();
    await aws.stop();
  }
}, 600_000);

const bucket = (layer: string) => `nfe-local-${layer}-${ACCOUNT}`;

describe('local environment on moto', () => {
  it('every stack applied; EMR block public access from the account baseline', async () => {
    expect([...applied].sort()).toEqual(STACKS.map(id).sort());
    const emr = client(EMRClient);
    expect((await emr.send(new GetBlockPublicAccessConfigurationCommand({}))).BlockPublicAccessConfiguration).toMatchObject({ BlockPublicSecurityGroupRules: true });
  });

  it('buckets: KMS with bucket keys, public access blocked, versioned, lifecycle, access logs', async () => {
    const s3 = client(S3Client);
    const kms = client(KMSClient);
    for (const layer of ['raw', 'curated', 'analytics', 'athena-results', 'artefacts']) {
      const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket(layer) }))).ServerSideEncryptionConfiguration!.Rules![0];
      expect(rule.ApplyServerSideEncryptionByDefault).toMatchObject({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//) });
      expect(rule.BucketKeyEnabled).toBe(true);
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket(layer) }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket(layer) }))).Status).toBe('Enabled');
      expect((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket(layer) }))).LoggingEnabled).toEqual({ TargetBucket: bucket('access-logs'), TargetPrefix: `${bucket(layer)}/` });
    }
    const keyId = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket('raw') }))).ServerSideEncryptionConfiguration!.Rules![0].ApplyServerSideEncryptionByDefault!.KMSMasterKeyID!;
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(true);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyManager).toBe('CUSTOMER');

    // raw keeps non-current versions and tiers only the data prefix of its source
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket('raw') }))).Rules!;
    expect(rules.map((r) => r.ID)).toEqual(['abort-incomplete-multipart-uploads', 'intelligent-tiering:nfe-api/nfe_invoice/']);
    expect(rules[1]).toMatchObject({ Filter: { Prefix: 'nfe-api/nfe_invoice/' }, Transitions: [{ Days: 0, StorageClass: 'INTELLIGENT_TIERING' }] });
    const curated = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket('curated') }))).Rules!;
    expect(curated.find((r) => r.ID === 'expire-noncurrent-versions')!.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 7 });
    const results = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket('athena-results') }))).Rules!;
    expect(results.find((r) => r.ID === 'expire-current-versions')!.Expiration).toMatchObject({ Days: 30 });

    const logPolicy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket('access-logs') }))).Policy!);
    expect(logPolicy.Statement).toContainEqual(expect.objectContaining({ Sid: 'S3ServerAccessLogDelivery', Principal: { Service: 'logging.s3.amazonaws.com' } }));
  });

  it('Glue: tables with the contract columns, partitioned, with date projection', async () => {
    const glue = client(GlueClient);
    const raw = (await glue.send(new GetTableCommand({ DatabaseName: 'nfe_local_lake', Name: 'raw_nfe_invoice' }))).Table!;
    expect(raw.StorageDescriptor!.Columns!.map((c) => ({ name: c.Name, type: c.Type }))).toEqual(rawGlueColumns(nfeInvoice).map((c) => ({ name: c.name, type: c.type })));
    expect(raw.PartitionKeys!.map((k) => [k.Name, k.Type])).toEqual([['ingest_date', 'date']]);
    expect(raw.StorageDescriptor!.Location).toBe(`s3://${bucket('raw')}/nfe-api/nfe_invoice/`);
    expect(raw.StorageDescriptor!.SerdeInfo!.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(raw.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.ingest_date.type': 'date',
      // the lake's first date: lake.local.json sets no query.firstDate, its one source starts on 2026-11-01
      'projection.ingest_date.range': '2026-11-01,NOW',
      'storage.location.template': `s3://${bucket('raw')}/nfe-api/nfe_invoice/ingest_date=\${ingest_date}/`,
    });
    const items = (await glue.send(new GetTableCommand({ DatabaseName: 'nfe_local_lake', Name: 'invoice_items' }))).Table!;
    const contractTable = nfeInvoice.curated.find((t) => t.name === 'invoice_items')!;
    expect(items.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(tableGlueColumns(contractTable).map((c) => c.name));
    expect(items.Parameters).toMatchObject({ 'projection.dt.type': 'date', 'storage.location.template': `s3://${bucket('curated')}/nfe_invoice/invoice_items/dt=\${dt}/` });
  });

  it('Athena: enforced engine v3 workgroup, KMS results, scan cutoff, metrics, the demo named queries', async () => {
    const athena = client(AthenaClient);
    const wg = (await athena.send(new GetWorkGroupCommand({ WorkGroup: 'nfe-local-lake' }))).WorkGroup!;
    expect(wg.Configuration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      ResultConfiguration: { OutputLocation: `s3://${bucket('athena-results')}/nfe-local-lake/`, EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: expect.stringContaining(':key/') } },
    });
    expect(wg.Configuration!.EngineVersion!.SelectedEngineVersion).toBe('Athena engine version 3');
    expect((await athena.send(new ListNamedQueriesCommand({ WorkGroup: 'nfe-local-lake' }))).NamedQueryIds).toHaveLength(4);
  });

  it('queues: KMS-encrypted continuation queue redriving to the DLQ', async () => {
    const sqs = client(SQSClient);
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'nfe-local-collector-nfe-api-continuation' }))).QueueUrl!;
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
    expect(attributes.KmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(attributes.VisibilityTimeout).toBe('5400');
    expect(JSON.parse(attributes.RedrivePolicy!)).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:nfe-local-collector-nfe-api-dlq`, maxReceiveCount: 5 });
    const dlq = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'nfe-local-collector-nfe-api-dlq' }))).QueueUrl!;
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['KmsMasterKeyId'] }))).Attributes!.KmsMasterKeyId).toBe(attributes.KmsMasterKeyId);
  });

  it('processing: the launch spec in S3 resolves to the deployed names and passes the emr-trigger schema', async () => {
    const s3 = client(S3Client);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket('artefacts'), Key: 'launch-spec/nfe_invoice.json' }))).Body!.transformToString();
    const spec = emrLaunchSpecSchema.parse(JSON.parse(body));
    expect(spec).toMatchObject({
      mode: 'transient',
      serviceRole: 'nfe-local-emr-service',
      jobFlowRole: 'nfe-local-emr-instance',
      securityConfiguration: 'nfe-local-emr',
      logUri: `s3://${bucket('artefacts')}/emr-logs/`,
      job: {
        rawBucket: bucket('raw'),
        curatedBucket: bucket('curated'),
        glueDatabase: 'nfe_local_lake',
        entrypointUri: `s3://${bucket('artefacts')}/jobs/spark/main.py`,
        contractUri: `s3://${bucket('artefacts')}/contracts/nfe_invoice.contract.json`,
      },
    });
    // the exported contract the job and the collector read, deployed by the lake stack
    const contract = await (await s3.send(new GetObjectCommand({ Bucket: bucket('artefacts'), Key: 'contracts/nfe_invoice.contract.json' }))).Body!.transformToString();
    expect(JSON.parse(contract)).toMatchObject({ format: 2, name: 'nfe_invoice', tables: { invoice_items: { source: { kind: 'explode', array: ['items'] } } } });
    const entry = await (await s3.send(new GetObjectCommand({ Bucket: bucket('artefacts'), Key: 'jobs/spark/main.py' }))).Body!.transformToString();
    expect(entry).toBe('print("lake job")\n');
    const emr = client(EMRClient);
    const security = JSON.parse((await emr.send(new DescribeSecurityConfigurationCommand({ Name: 'nfe-local-emr' }))).SecurityConfiguration!);
    expect(security.EncryptionConfiguration).toMatchObject({ EnableAtRestEncryption: true, EnableInTransitEncryption: true });
    const iam = client(IAMClient);
    const policy = JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: 'nfe-local-collector-nfe-api', PolicyName: 'least-privilege' }))).PolicyDocument!));
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: [`arn:aws:s3:::${bucket('raw')}/nfe-api/nfe_invoice/*`] }));
  });

  it('terraform plan covers what moto cannot apply: archive tiers, the persistent EMR cluster with managed scaling, the Spectrum schema', async () => {
    const dev = configFile('dev');
    const variant = synth('variant.out', lakeConfig('local', { localEndpoint: aws.endpoint, storage: { ...config.storage, archiveAccessTierDays: 180 }, processing: { ...dev.processing, subnetId: 'subnet-0123' }, warehouse: dev.warehouse }));
    const plan = async (stack: string) => terraform(variant, stack, 'plan', '-lock=false');
    const [lake, processing, warehouse] = await Promise.all([plan(id('lake')), plan(id('processing')), plan('nfe-local-warehouse')]);
    // one tiering configuration per raw data prefix (nfe-api/nfe_invoice/)
    expect(lake).toMatch(/aws_s3_bucket_intelligent_tiering_configuration\.Storage_Raw_ArchiveTiers_archive-tiersnfe-apinfe_invoice_\w+ will be created/);
    // and nothing else: the raw bucket's EventBridge notification reads back (local-aws's moto patch)
    expect(lake).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
    expect(processing).toMatch(/aws_emr_cluster\.Spark_Cluster_\w+ will be created/);
    expect(processing).toMatch(/aws_emr_managed_scaling_policy\.Spark_ManagedScaling_\w+ will be created/);
    expect(processing).toMatch(/idle_timeout\s+= 7200/);
    expect(warehouse).toMatch(/aws_redshiftdata_statement\.Spectrum_\w+ will be created/);
    expect(warehouse).toMatch(/workgroup_name\s+= "analytics"/);
  });

  it('without the data-destruction flags, terraform destroy of the lake stack refuses and leaves key, buckets, their settings and the catalog as they were', async () => {
    // the same stack and state as applied, synthesised from a config without the two flags
    const retained = lakeConfig('local', { localEndpoint: aws.endpoint, allowDataDestruction: false, storage: { ...configFile('local').storage, removalPolicy: 'retain', forceDestroy: false } });
    const retainedOut = synth('retained.out', retained);
    const refusal = await terraform(retainedOut, id('lake'), 'destroy', '-auto-approve').then(
      () => 'destroyed',
      (e: Error) => e.message,
    );
    expect(refusal).toMatch(/Instance cannot be destroyed/);
    // terraform names the first protected resources of the destroy order (tables, bucket settings, the key alias), not every one
    expect(refusal).toMatch(/Resource aws_kms_alias\.Storage_Key_Alias_\w+ has\s+lifecycle\.prevent_destroy set/);
    expect(refusal).toMatch(/Resource aws_glue_catalog_table\.Database_raw_nfe_invoice_\w+ has\s+lifecycle\.prevent_destroy set/);

    const s3 = client(S3Client);
    const keyId = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket('raw') }))).ServerSideEncryptionConfiguration!.Rules![0].ApplyServerSideEncryptionByDefault!.KMSMasterKeyID!;
    expect((await client(KMSClient).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    for (const layer of ['raw', 'curated', 'analytics', 'athena-results', 'artefacts', 'access-logs']) {
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket(layer) }))).Status).toBe('Enabled');
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket(layer) }))).Policy).toBeDefined();
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket(layer) }))).PublicAccessBlockConfiguration!.BlockPublicPolicy).toBe(true);
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket(layer) }))).ServerSideEncryptionConfiguration!.Rules).toHaveLength(1);
      expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket(layer) }))).Rules!.map((r) => r.ID)).toContain('abort-incomplete-multipart-uploads');
    }
    const glue = client(GlueClient);
    expect((await glue.send(new GetDatabaseCommand({ Name: 'nfe_local_lake' }))).Database!.Name).toBe('nfe_local_lake');
    const tables = (await glue.send(new GetTablesCommand({ DatabaseName: 'nfe_local_lake' }))).TableList!.map((t) => t.Name).sort();
    expect(tables).toEqual(['raw_nfe_invoice', ...config.datasets[0].curated.map((t) => t.name), ...config.datasets[0].analytics.map((t) => t.name)].sort());
  });
});
