import { LakeConfig, rawDatasetPrefix } from '@nfe-lake/lake-core';
import { TerraformStack, Testing } from 'cdktf';
import { AWS_PROVIDER_VERSION, findProviderMirror } from '@nfe-lake/local-aws';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LakeStacks, LakeStack, PROVIDER_LOCK_FILE, buildLakeStacks } from '../src';
import { artefactFixtures, configFile, examplesConfig, lakeConfig } from './fixtures';
import { TerraformJson, preventDestroyOf, resources } from './helpers';

const artefacts = artefactFixtures();

function build(config: LakeConfig): { stacks: LakeStacks; outdir: string } {
  const app = Testing.app();
  return { stacks: buildLakeStacks(app, config, artefacts), outdir: app.outdir };
}

/** Synthesises the whole app (cross-stack references are wired only then), validations on. */
function synthApp(config: LakeConfig) {
  const app = Testing.app();
  const stacks = buildLakeStacks(app, config, artefacts);
  app.synth();
  const text = (stack: TerraformStack) => readFileSync(join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8');
  return { stacks, outdir: app.outdir, text, synth: (stack: TerraformStack): TerraformJson => JSON.parse(text(stack)) };
}

const all = (stacks: LakeStacks) => Object.values(stacks).filter((s): s is TerraformStack => Boolean(s));

describe('local environment', () => {
  const { stacks, outdir, synth, text } = synthApp(lakeConfig('local'));

  it('builds the stateful lake stack and the compute stacks, no warehouse', () => {
    expect(all(stacks).map((s) => s.node.id)).toEqual(['nfe-local-lake', 'nfe-local-ingestion', 'nfe-local-processing', 'nfe-local-query', 'nfe-local-account']);
  });

  it('sends every AWS API to moto with few retries; state files beside the synth output, by a relative path', () => {
    for (const stack of all(stacks)) {
      const tf = synth(stack) as TerraformJson & { provider: { aws: Record<string, unknown>[] }; terraform: { backend: Record<string, { path: string }> } };
      const provider = tf.provider.aws[0];
      expect(provider).toMatchObject({ region: 'us-east-1', max_retries: 1, skip_credentials_validation: true, skip_metadata_api_check: 'true', s3_use_path_style: true });
      expect(Object.values((provider.endpoints as Record<string, string>[])[0])).toEqual(expect.arrayContaining(['http://127.0.0.1:5000']));
      expect(Object.keys((provider.endpoints as Record<string, string>[])[0])).toEqual(expect.arrayContaining(['s3', 'sts', 'glue', 'athena', 'lambda', 'scheduler', 'events', 'logs', 'emr']));
      // relative to where terraform runs (the stack's directory), so the synth is portable
      expect(tf.terraform.backend.local.path).toBe(`../../../terraform-state/${stack.node.id}.tfstate`);
      expect(resolve(outdir, 'stacks', stack.node.id, tf.terraform.backend.local.path)).toBe(join(dirname(outdir), 'terraform-state', `${stack.node.id}.tfstate`));
    }
  });

  it('holds no absolute path of the checkout: a synth can be moved or made elsewhere', () => {
    for (const stack of all(stacks)) expect(text(stack)).not.toContain(dirname(outdir));
    const remote = synth(stacks.query).data!.terraform_remote_state['cross-stack-reference-input-nfe-local-lake'];
    expect(remote.config.path).toBe('../../../terraform-state/nfe-local-lake.tfstate');
  });

  it('writes the committed provider lock beside every stack (cdktf then never runs `terraform providers lock`)', () => {
    for (const stack of all(stacks)) {
      expect(readFileSync(join(outdir, 'stacks', stack.node.id, '.terraform.lock.hcl'), 'utf8')).toBe(readFileSync(PROVIDER_LOCK_FILE, 'utf8'));
    }
  });

  it('outputs the names and ARNs other teams import, documented and not sensitive', () => {
    const outputs = { ...synth(stacks.lake).output, ...synth(stacks.query).output };
    const documented = Object.fromEntries(Object.entries(outputs).filter(([name]) => !name.startsWith('cross-stack-output-')));
    const layers = ['raw', 'curated', 'analytics', 'athena_results', 'artefacts'];
    expect(Object.keys(documented).sort()).toEqual(
      [...layers.flatMap((l) => [`${l}_bucket`, `${l}_bucket_arn`]), 'lake_key_arn', 'glue_database', 'glue_database_arn', 'athena_workgroup', 'athena_workgroup_arn'].sort(),
    );
    for (const [name, output] of Object.entries(documented)) {
      expect({ name, description: output.description, sensitive: output.sensitive }).toEqual({ name, description: expect.stringMatching(/^(Name|ARN) of /), sensitive: undefined });
    }
    expect(outputs.raw_bucket.value).toMatch(/^\$\{aws_s3_bucket\.Storage_Raw_\w+\.bucket\}$/);
    expect(outputs.raw_bucket_arn.value).toMatch(/^\$\{aws_s3_bucket\.Storage_Raw_\w+\.arn\}$/);
    expect(outputs.lake_key_arn.value).toMatch(/^\$\{aws_kms_key\.Storage_Key_\w+\.arn\}$/);
    expect(outputs.glue_database_arn.value).toMatch(/^\$\{aws_glue_catalog_database\.Database_\w+\.arn\}$/);
    expect(outputs.athena_workgroup_arn.value).toMatch(/^\$\{aws_athena_workgroup\.Workgroup_\w+\.arn\}$/);
  });

  it('tags every taggable resource with project, environment and the config tags', () => {
    // the account baseline's settings take no tags
    for (const stack of all(stacks).filter((s) => s !== stacks.account)) {
      const tf = synth(stack);
      const tagged = Object.values(tf.resource).flatMap((byId) => Object.values(byId)).filter((r) => r.tags);
      expect(tagged.length).toBeGreaterThan(0);
      for (const r of tagged) expect(r.tags).toMatchObject({ project: 'nfe', environment: 'local', owner: 'data-platform', 'managed-by': 'cdktf' });
    }
  });

  it('leaves out, on moto only, what moto cannot hold: catalog encryption, the TLS-only and lake-key policies, the EMR managed policy', () => {
    const lake = synth(stacks.lake);
    expect(synth(stacks.account!).resource.aws_glue_data_catalog_encryption_settings).toBeUndefined();
    const sids = resources(lake, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(p.policy).Statement).map((s: { Sid: string }) => s.Sid);
    // the raw bucket's denies stay (moto evaluates no ArnNotLike, and checks bucket-policy denies only of object calls under IAM enforcement)
    expect(sids.sort()).toEqual(['DenyObjectVersionDeletion', 'DenyVersionProtectionChanges', 'S3ServerAccessLogDelivery']);
    expect(resources(synth(stacks.processing), 'aws_iam_role').find((r) => r.name === 'nfe-local-emr-service')!.managed_policy_arns).toBeUndefined();
  });

  it('compute stacks reference the lake stack through its state, not copied names', () => {
    for (const stack of [stacks.ingestion, stacks.processing, stacks.query]) {
      expect(Object.keys(synth(stack).data!.terraform_remote_state)).toEqual(['cross-stack-reference-input-nfe-local-lake']);
    }
  });

  it.each(['lake', 'ingestion', 'processing', 'query'] as const)('%s stack matches the reviewed snapshot', (name) => {
    expect(text(stacks[name]!)).toMatchSnapshot();
  });
});

describe('dev environment (prod-like)', () => {
  const { stacks, synth } = synthApp(lakeConfig('dev'));

  it('uses the real AWS APIs, an S3 state backend with native locking, archive tiers on raw, a persistent cluster, the warehouse', () => {
    const lake = synth(stacks.lake) as TerraformJson & { provider: { aws: Record<string, unknown>[] }; terraform: { backend: Record<string, Record<string, unknown>> } };
    expect(lake.provider.aws[0]).toEqual({ region: 'sa-east-1' });
    expect(lake.terraform.backend.s3).toEqual({ bucket: 'nfe-terraform-state', key: 'nfe-lake/dev/nfe-dev-lake.tfstate', region: 'sa-east-1', encrypt: true, use_lockfile: true });
    expect(resources(lake, 'aws_s3_bucket_intelligent_tiering_configuration')).toHaveLength(1);
    expect(lake.resource.aws_glue_data_catalog_encryption_settings).toBeUndefined();
    const sids = resources(lake, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(p.policy).Statement.map((s: { Sid: string }) => s.Sid));
    expect(sids.filter((sid) => sid === 'DenyInsecureTransport')).toHaveLength(6);
    expect(sids.filter((sid) => sid === 'DenyUploadsUnderAnotherKey' || sid === 'DenyUploadsNotSseKms')).toHaveLength(10);
    expect(resources(synth(stacks.processing), 'aws_emr_cluster')).toHaveLength(1);
    expect(resources(synth(stacks.warehouse!), 'aws_redshiftdata_statement')).toHaveLength(1);
    expect(resources(synth(stacks.ingestion), 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name.endsWith('no-manifest'))).toMatchObject({ period: 3600, evaluation_periods: 3 });
  });

  it('retains the data: terraform destroy refuses the key, buckets, their settings and the Glue catalog; only the published contracts and the alarm topic may go', () => {
    const unprotected = preventDestroyOf(synth(stacks.lake)).filter(([, prevented]) => !prevented).map(([address]) => address);
    expect(unprotected).toEqual([expect.stringMatching(/^aws_s3_object\.Datasets_nfe_invoice_\w+$/), expect.stringMatching(/^aws_sns_topic_policy\.AlarmTopic_Policy_\w+$/), expect.stringMatching(/^aws_sns_topic\.AlarmTopic_\w+$/)]);
    const types = new Set(preventDestroyOf(synth(stacks.lake)).map(([address]) => address.split('.')[0]));
    for (const type of ['aws_kms_key', 'aws_s3_bucket', 'aws_s3_bucket_versioning', 'aws_s3_bucket_policy', 'aws_s3_bucket_intelligent_tiering_configuration', 'aws_glue_catalog_database', 'aws_glue_catalog_table']) {
      expect(types.has(type)).toBe(true);
    }
  });
});

describe('alarms notify someone', () => {
  const config = lakeConfig('dev', { alarms: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] } });
  const { stacks, synth } = synthApp(config);
  const topicRef = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-nfe-dev-lake\.outputs\.cross-stack-output-aws_sns_topicAlarmTopic_\w+arn\}$/;

  it('the lake stack holds the encrypted alarm topic and its subscriptions', () => {
    const lake = synth(stacks.lake);
    expect(resources(lake, 'aws_sns_topic')).toEqual([expect.objectContaining({ name: 'nfe-dev-alarms', kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.Storage_Key_\w+\.arn\}$/) })]);
    expect(resources(lake, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([['email', 'oncall@example.com']]);
  });

  it('every alarm of every stack has the topic as alarm and OK action', () => {
    const alarms = [stacks.ingestion, stacks.processing].flatMap((s) => resources(synth(s), 'aws_cloudwatch_metric_alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(5);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(topicRef)]);
      expect(alarm.ok_actions).toEqual([expect.stringMatching(topicRef)]);
    }
    for (const stack of all(stacks).filter((s) => s !== stacks.ingestion && s !== stacks.processing)) expect(resources(synth(stack), 'aws_cloudwatch_metric_alarm')).toEqual([]);
  });

  it('a failed Spark step of a lake run reaches the topic (EventBridge)', () => {
    const processing = synth(stacks.processing);
    const rule = resources(processing, 'aws_cloudwatch_event_rule').find((r) => r.name === 'nfe-dev-emr-step-failed')!;
    expect(JSON.parse(rule.event_pattern)).toEqual({ source: ['aws.emr'], 'detail-type': ['EMR Step Status Change'], detail: { state: ['FAILED'], name: [{ prefix: 'nfe-lake nfe_invoice ' }] } });
    const target = resources(processing, 'aws_cloudwatch_event_target').find((t) => String(t.rule).includes('StepFailedRule'))!;
    expect(target.arn).toMatch(topicRef);
  });
});

describe('account baseline', () => {
  it('holds the account-wide settings, in no other stack: the catalog encrypted with the lake key, EMR block public access', () => {
    const { stacks, synth } = synthApp(lakeConfig('dev'));
    const account = synth(stacks.account!);
    expect(Object.keys(account.resource).sort()).toEqual(['aws_emr_block_public_access_configuration', 'aws_glue_data_catalog_encryption_settings']);
    const key = resources(account, 'aws_glue_data_catalog_encryption_settings')[0].data_catalog_encryption_settings.encryption_at_rest.sse_aws_kms_key_id;
    expect(key).toMatch(/cross-stack-output-aws_kms_keyStorage_Key_\w+arn/);
    const others = all(stacks).filter((s) => s !== stacks.account);
    for (const stack of others) {
      expect(Object.keys(synth(stack).resource)).not.toContain('aws_emr_block_public_access_configuration');
      expect(Object.keys(synth(stack).resource)).not.toContain('aws_glue_data_catalog_encryption_settings');
    }
  });

  it('a second environment of the account leaves it to the first (accountBaseline: false)', () => {
    const { stacks } = build(lakeConfig('dev', { accountBaseline: false }));
    expect(stacks.account).toBeUndefined();
    expect(all(stacks).map((s) => s.node.id)).not.toContain('nfe-dev-account');
  });
});

describe('local environment with both data-destruction flags (lake.local.json)', () => {
  it('lets terraform destroy everything', () => {
    const config = lakeConfig('local');
    expect([config.allowDataDestruction, config.storage.removalPolicy]).toEqual([true, 'destroy']);
    const { stacks, synth } = synthApp(config);
    expect(preventDestroyOf(synth(stacks.lake)).filter(([, prevented]) => prevented)).toEqual([]);
  });
});

describe('terraform validate (offline provider mirror)', () => {
  // the dev config with a local backend: `terraform init` must not reach the S3 state bucket
  it('every stack (lake, ingestion, processing, query, warehouse, account) is valid Terraform', () => {
    const { stacks, outdir } = synthApp(lakeConfig('dev', { backend: { type: 'local' } }));
    expect(all(stacks)).toHaveLength(6);
    expect(outdir).toBeValidTerraform();
  });

  it('the committed provider lock holds the mirror\'s hash of hashicorp/aws for this platform', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-lock-'));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } } }));
    const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
    execFileSync('terraform', ['providers', 'lock', `-fs-mirror=${findProviderMirror()}`, `-platform=${platform}`], { cwd: dir, stdio: 'pipe' });
    const hashes = (text: string) => [...text.matchAll(/"(h1:[^"]+)"/g)].map((m) => m[1]);
    expect(hashes(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8'))).toHaveLength(1);
    expect(hashes(readFileSync(PROVIDER_LOCK_FILE, 'utf8'))).toEqual(expect.arrayContaining(hashes(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8'))));
    expect(readFileSync(PROVIDER_LOCK_FILE, 'utf8')).toContain(`version     = "${AWS_PROVIDER_VERSION}"`);
  });
});

describe('curated table format', () => {
  it('delta: curated tables registered as Delta, analytics stay Parquet with projection', () => {
    const stack = new LakeStack(Testing.app(), 'nfe-dev-lake', { config: lakeConfig('dev', { processing: { tableFormat: 'delta', subnetId: 'subnet-1' } }) });
    const tables = JSON.parse(Testing.synth(stack)).resource.aws_glue_catalog_table as Record<string, { name: string; parameters: Record<string, string> }>;
    const byName = Object.fromEntries(Object.values(tables).map((t) => [t.name, t.parameters]));
    expect(byName.invoices.table_type).toBe('DELTA');
    expect(byName.invoice_items.table_type).toBe('DELTA');
    expect(byName.daily_revenue_by_state).toMatchObject({ classification: 'parquet', 'projection.enabled': 'true' });
  });
});

describe('a lake of two datasets of different shapes (the examples: nfe_invoice and shop_orders)', () => {
  const config = examplesConfig();
  const { stacks, synth } = synthApp(config);

  it('catalogs every table of both contracts and publishes each exported contract', () => {
    const lake = synth(stacks.lake);
    expect(resources(lake, 'aws_glue_catalog_table').map((t) => t.name).sort()).toEqual(
      ['daily_revenue_by_state', 'daily_sales_by_country', 'invoice_items', 'invoices', 'orders', 'orders_lines', 'orders_payments', 'raw_nfe_invoice', 'raw_shop_orders', 'top_products_daily'].sort(),
    );
    const contracts = resources(lake, 'aws_s3_object');
    expect(contracts.map((o) => o.key).sort()).toEqual(['contracts/nfe_invoice.contract.json', 'contracts/shop_orders.contract.json']);
    expect(JSON.parse(contracts.find((o) => o.key === 'contracts/shop_orders.contract.json')!.content)).toMatchObject({ format: 2, name: 'shop_orders' });
  });

  it('one collector per source reading its own contract; one processing pipeline per dataset', () => {
    const uris = resources(synth(stacks.ingestion), 'aws_lambda_function').map((f) => [f.function_name, f.environment.variables.CONTRACT_URI]);
    expect(uris.map(([name, uri]) => [name, uri.split('/').pop()])).toEqual([
      ['shop-local-collector-nfe-api', 'nfe_invoice.contract.json'],
      ['shop-local-collector-shop-api', 'shop_orders.contract.json'],
    ]);
    expect(Object.keys(stacks.processing.processing.pipelines)).toEqual(['nfe_invoice', 'shop_orders']);
  });

  it('deploys the named queries of both datasets to the workgroup', () => {
    const names = resources(synth(stacks.query), 'aws_athena_named_query').map((q) => q.name);
    expect(names.sort()).toEqual(config.datasets.flatMap((d) => d.namedQueries.map((q) => q.name)).sort());
    expect(names).toHaveLength(6);
  });

  it('refuses two datasets declaring a named query of the same name', () => {
    const [nfe, shop] = config.datasets;
    const clash = { ...config, datasets: [nfe, { ...shop, namedQueries: [nfe.namedQueries[0]] }] };
    expect(() => build(clash)).toThrow(`invalid namedQueries: datasets nfe_invoice and shop_orders both declare a query named "revenue-by-state-last-30-days"; rename one of them`);
  });
});

describe('raw protection from the lake config', () => {
  it('scopes the raw tiering to each source\'s data prefix and passes lock, expiry and the break-glass role through', () => {
    const breakGlassRoleArn = 'arn:aws:iam::111122223333:role/lake-break-glass';
    const config = lakeConfig('dev', { storage: { archiveAccessTierDays: 180, rawProtection: { objectLock: { retentionDays: 90 }, breakGlassRoleArn, noncurrentVersionExpirationDays: 400 } } });
    const tf: TerraformJson = JSON.parse(Testing.synth(new LakeStack(Testing.app(), 'nfe-dev-lake', { config }), true));
    const prefix = rawDatasetPrefix(config.sources[0].name, config.sources[0].dataset);
    expect(resources(tf, 'aws_s3_bucket_intelligent_tiering_configuration').map((t) => t.filter)).toEqual([{ prefix }]);
    const raw = (type: string) => resources(tf, type).filter((r) => String(r.bucket).includes('Storage_Raw'));
    expect(raw('aws_s3_bucket_lifecycle_configuration')[0].rule).toContainEqual(expect.objectContaining({ filter: [{ prefix }], noncurrent_version_expiration: [{ noncurrent_days: 400 }] }));
    expect(raw('aws_s3_bucket_object_lock_configuration')[0].rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 90 } });
    expect(String(raw('aws_s3_bucket_policy')[0].policy)).toContain(breakGlassRoleArn);
    const unlocked = lakeConfig('dev', { storage: { rawProtection: { objectLock: { enabled: false } } } });
    expect(resources(JSON.parse(Testing.synth(new LakeStack(Testing.app(), 'nfe-dev-lake', { config: unlocked }), true)), 'aws_s3_bucket_object_lock_configuration')).toEqual([]);
  });
});

describe('config errors fail synth with the value and the fix', () => {
  const dev = configFile('dev');
  it('forceDestroy without both data-destruction flags', () => {
    expect(() => lakeConfig('dev', { storage: { forceDestroy: true } })).toThrow(
      'storage.forceDestroy: got true; deleting non-empty buckets needs storage.removalPolicy "destroy" and allowDataDestruction: true; or drop forceDestroy',
    );
    expect(() => new LakeStack(Testing.app(), 'nfe-dev-lake', { config: lakeConfig('dev', { allowDataDestruction: true, storage: { removalPolicy: 'destroy', forceDestroy: true } }) })).not.toThrow();
  });

  it('two sources feeding one dataset', () => {
    const second = { ...dev.sources[0], name: 'nfe-api-2' };
    expect(() => build(lakeConfig('dev', { sources: [...dev.sources, second] }))).toThrow('invalid sources of dataset nfe_invoice: got ["nfe-api","nfe-api-2"]; the raw table is per dataset: keep one source per dataset');
  });

  it('names too long for IAM', () => {
    const long = { ...dev.sources[0], name: 'a-very-long-source-name-for-invoices-api' };
    expect(() => build(lakeConfig('dev', { project: 'nfe-lake-platform', sources: [long] }))).toThrow(/invalid roleName: got "nfe-lake-platform-dev-collector-a-very-long-source-name-for-invoices-api"; IAM role names have at most 64 characters/);
  });

  it('processing limits that contradict each other', () => {
    expect(() => build(lakeConfig('dev', { processing: { ...dev.processing, maxCapacityUnits: 4, maxCoreCapacityUnits: 6 } }))).toThrow('invalid maxCoreCapacityUnits: got 6; it cannot exceed maxCapacityUnits (4)');
  });
});
