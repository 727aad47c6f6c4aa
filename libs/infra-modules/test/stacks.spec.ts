import { LakeConfig } from '@nfe-lake/lake-core';
import { TerraformStack, Testing } from 'cdktf';
import { AWS_PROVIDER_VERSION, findProviderMirror } from '@nfe-lake/local-aws';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LakeStacks, LakeStack, PROVIDER_LOCK_FILE, buildLakeStacks } from '../src';
import { artefactFixtures, configFile, examplesConfig, lakeConfig } from './fixtures';
import { TerraformJson, resources } from './helpers';

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
    expect(all(stacks).map((s) => s.node.id)).toEqual(['nfe-local-lake', 'nfe-local-ingestion', 'nfe-local-processing', 'nfe-local-query']);
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
    for (const stack of all(stacks)) {
      const tf = synth(stack);
      const tagged = Object.values(tf.resource).flatMap((byId) => Object.values(byId)).filter((r) => r.tags);
      expect(tagged.length).toBeGreaterThan(0);
      for (const r of tagged) expect(r.tags).toMatchObject({ project: 'nfe', environment: 'local', owner: 'data-platform', 'managed-by': 'cdktf' });
    }
  });

  it('leaves out, on moto only, what moto cannot hold: catalog encryption, the TLS-only and lake-key policies, the EMR managed policy', () => {
    const lake = synth(stacks.lake);
    expect(lake.resource.aws_glue_data_catalog_encryption_settings).toBeUndefined();
    const sids = resources(lake, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(p.policy).Statement).map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(['S3ServerAccessLogDelivery']);
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
    expect(lake.resource.aws_glue_data_catalog_encryption_settings).toBeDefined();
    const sids = resources(lake, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(p.policy).Statement.map((s: { Sid: string }) => s.Sid));
    expect(sids.filter((sid) => sid === 'DenyInsecureTransport')).toHaveLength(6);
    expect(sids.filter((sid) => sid === 'DenyUploadsUnderAnotherKey' || sid === 'DenyUploadsNotSseKms')).toHaveLength(10);
    expect(resources(synth(stacks.processing), 'aws_emr_cluster')).toHaveLength(1);
    expect(resources(synth(stacks.warehouse!), 'aws_redshiftdata_statement')).toHaveLength(1);
    expect(resources(synth(stacks.ingestion), 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name.endsWith('no-manifest'))).toMatchObject({ period: 3600, evaluation_periods: 3 });
  });
});

describe('terraform validate (offline provider mirror)', () => {
  // the dev config with a local backend: `terraform init` must not reach the S3 state bucket
  it('every stack (lake, ingestion, processing, query, warehouse) is valid Terraform', () => {
    const { stacks, outdir } = synthApp(lakeConfig('dev', { backend: { type: 'local' } }));
    expect(all(stacks)).toHaveLength(5);
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

describe('config errors fail synth with the value and the fix', () => {
  const dev = configFile('dev');
  it('forceDestroy outside the local environment', () => {
    expect(() => build(lakeConfig('dev', { storage: { forceDestroy: true } }))).toThrow(
      'invalid storage.forceDestroy of environment dev: got true; the lake stack does not allow data destruction: remove forceDestroy or pass allowDataDestruction: true',
    );
    expect(() => new LakeStack(Testing.app(), 'nfe-dev-lake', { config: lakeConfig('dev', { storage: { forceDestroy: true } }), allowDataDestruction: true })).not.toThrow();
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
