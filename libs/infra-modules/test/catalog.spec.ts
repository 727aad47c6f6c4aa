import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { EmrBlockPublicAccessConfiguration } from '@cdktf/provider-aws/lib/emr-block-public-access-configuration';
import { GlueDataCatalogEncryptionSettings } from '@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings';
import { derivedTables, gluePartitionKeys, rawGlueColumns, tableGlueColumns } from '@nfe-lake/lake-core';
import { AccountBaseline, CatalogEncryption, LakeDatabase, LakeRole } from '../src';
import { nfeInvoice } from './fixtures';
import { KEY_ARN, policyStatements, preventDestroyOf, resources, storageIn, synthWith } from './helpers';

function catalog() {
  return synthWith((stack) => {
    const storage = storageIn(stack);
    const db = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
    db.addRawTable(nfeInvoice, 'nfe-api', storage.raw);
    for (const table of nfeInvoice.curated) db.addTable(nfeInvoice, table, storage.curated);
    for (const table of nfeInvoice.analytics) db.addTable(nfeInvoice, table, storage.analytics);
    new CatalogEncryption(stack, 'CatalogEncryption', { key: storage.key });
    const role = new LakeRole(stack, 'Job', { roleName: 'nfe-test-job', assumedBy: ['ec2.amazonaws.com'], description: 'x' });
    db.grantWrite(role);
  });
}

describe('LakeDatabase', () => {
  const { json, tf } = catalog();
  const table = (name: string) => resources(tf, 'aws_glue_catalog_table').find((t) => t.name === name)!;

  it('creates the database and one table per contract table (raw + curated + analytics)', () => {
    expect(json).toHaveResourceWithProperties(GlueCatalogDatabase, { name: 'nfe_test_lake' });
    expect(resources(tf, 'aws_glue_catalog_table').map((t) => t.name).sort()).toEqual(['raw_nfe_invoice', ...derivedTables(nfeInvoice).map((t) => t.name)].sort());
  });

  it('raw table: gzip NDJSON through the OpenX SerDe, columns from the contract, partitioned by ingest_date with projection', () => {
    const raw = table('raw_nfe_invoice');
    expect(raw.storage_descriptor.columns).toEqual(rawGlueColumns(nfeInvoice));
    expect(raw.storage_descriptor.ser_de_info.serialization_library).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(raw.storage_descriptor.ser_de_info.parameters['ignore.malformed.json']).toBe('true');
    expect(raw.storage_descriptor.location).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.Storage_Raw_.*\.bucket\}\/nfe-api\/nfe_invoice\/$/);
    expect(raw.partition_keys).toEqual(gluePartitionKeys({ partitioning: nfeInvoice.rawPartitioning }));
    expect(raw.parameters).toMatchObject({
      classification: 'json',
      compressionType: 'gzip',
      'projection.enabled': 'true',
      'projection.ingest_date.type': 'date',
      'projection.ingest_date.format': 'yyyy-MM-dd',
      'projection.ingest_date.range': '2026-01-01,NOW',
      'projection.ingest_date.interval.unit': 'DAYS',
    });
    // `$${` is Terraform's escape: Athena, not Terraform, substitutes the partition value
    expect(raw.parameters['storage.location.template']).toMatch(/\/nfe-api\/nfe_invoice\/ingest_date=\$\$\{ingest_date\}\/$/);
  });

  it('curated/analytics tables: Parquet, contract columns, dt projection under <dataset>/<table>/', () => {
    for (const t of derivedTables(nfeInvoice)) {
      const glue = table(t.name);
      const bucket = t.layer === 'curated' ? 'Storage_Curated' : 'Storage_Analytics';
      expect(glue.storage_descriptor.columns).toEqual(tableGlueColumns(t));
      expect(glue.storage_descriptor.ser_de_info.serialization_library).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(glue.storage_descriptor.location).toContain(`${bucket}`);
      expect(glue.storage_descriptor.location).toMatch(new RegExp(`/nfe_invoice/${t.name}/$`));
      expect(glue.partition_keys).toEqual([{ name: 'dt', type: 'date', comment: expect.any(String) }]);
      expect(glue.parameters).toMatchObject({ classification: 'parquet', 'projection.dt.type': 'date', 'projection.dt.range': '2026-01-01,NOW' });
      expect(glue.parameters['storage.location.template']).toMatch(new RegExp(`/nfe_invoice/${t.name}/dt=\\$\\$\\{dt\\}/$`));
    }
    expect(json).toHaveResourceWithProperties(GlueCatalogTable, { name: 'invoices', table_type: 'EXTERNAL_TABLE' });
  });

  it('encrypts the catalog and connection passwords with the lake key', () => {
    expect(json).toHaveResourceWithProperties(GlueDataCatalogEncryptionSettings, {
      data_catalog_encryption_settings: {
        encryption_at_rest: { catalog_encryption_mode: 'SSE-KMS', sse_aws_kms_key_id: KEY_ARN },
        connection_password_encryption: { return_connection_password_encrypted: true, aws_kms_key_id: KEY_ARN },
      },
    });
  });

  it('grantWrite scopes Glue to the catalog, the database and its tables, plus the catalog key', () => {
    const glue = policyStatements(tf).filter((s) => s.Action.some((a) => a.startsWith('glue:')));
    expect(glue.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['glue:GetTable', 'glue:BatchCreatePartition', 'glue:UpdateTable']));
    for (const s of glue) {
      expect(s.Resource).toEqual([expect.stringMatching(/:catalog$/), expect.stringContaining('aws_glue_catalog_database'), expect.stringMatching(/:table\/\$\{aws_glue_catalog_database\..*\.name\}\/\*$/)]);
    }
    expect(policyStatements(tf)).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt']) }));
  });

  it('retains the database and every table, those added after it was made included (prevent_destroy)', () => {
    const glue = preventDestroyOf(tf).filter(([address]) => address.startsWith('aws_glue_catalog_'));
    expect(glue).toHaveLength(1 + 1 + derivedTables(nfeInvoice).length);
    expect(glue.every(([, prevented]) => prevented)).toBe(true);
  });

  it('drops the table and database only with removalPolicy destroy and the app-wide opt-in', () => {
    const destroyable = (context?: Record<string, unknown>) =>
      synthWith((stack) => {
        const storage = storageIn(stack);
        const db = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01', removalPolicy: 'destroy' });
        db.addRawTable(nfeInvoice, 'nfe-api', storage.raw);
      }, context);
    expect(() => destroyable()).toThrow('invalid removalPolicy of test/Database: got "destroy"; destroying data needs the app-wide opt-in as well');
    const glue = preventDestroyOf(destroyable({ '@nfe-lake/allowDataDestruction': true }).tf).filter(([address]) => address.startsWith('aws_glue_catalog_'));
    expect(glue.map(([, prevented]) => prevented)).toEqual([false, false]);
  });

  it('rejects bad names and duplicate tables', () => {
    expect(() => synthWith((stack) => new LakeDatabase(stack, 'D', { databaseName: 'Nfe-Lake', catalogKey: storageIn(stack).key, projectionStartDate: '2026-01-01' }))).toThrow('invalid databaseName: got "Nfe-Lake"; use lowercase letters, digits and "_"');
    expect(() =>
      synthWith((stack) => {
        const storage = storageIn(stack);
        const db = new LakeDatabase(stack, 'D', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
        db.addTable(nfeInvoice, nfeInvoice.curated[0], storage.curated);
        db.addTable(nfeInvoice, nfeInvoice.curated[0], storage.curated);
      }),
    ).toThrow(/table "invoices" is defined twice/);
    expect(() => synthWith((stack) => new LakeDatabase(stack, 'D', { databaseName: 'nfe_test_lake', catalogKey: storageIn(stack).key, projectionStartDate: '2026/01/01' }))).toThrow(
      'invalid projectionStartDate: got "2026/01/01"; use the first date of the data as YYYY-MM-DD',
    );
  });
});

describe('AccountBaseline', () => {
  it('blocks public EMR security group rules with no port exception and encrypts the catalog with the given key', () => {
    const { json, tf } = synthWith((stack) => new AccountBaseline(stack, 'Baseline', { catalogKey: storageIn(stack).key }));
    expect(json).toHaveResourceWithProperties(EmrBlockPublicAccessConfiguration, { block_public_security_group_rules: true });
    expect(resources(tf, 'aws_emr_block_public_access_configuration')[0].permitted_public_security_group_rule_range).toBeUndefined();
    expect(resources(tf, 'aws_glue_data_catalog_encryption_settings')[0].data_catalog_encryption_settings.encryption_at_rest).toEqual({ catalog_encryption_mode: 'SSE-KMS', sse_aws_kms_key_id: KEY_ARN });
  });

  it('without a key, leaves the catalog encryption as it is', () => {
    const { tf } = synthWith((stack) => new AccountBaseline(stack, 'Baseline'));
    expect(resources(tf, 'aws_glue_data_catalog_encryption_settings')).toEqual([]);
    expect(resources(tf, 'aws_emr_block_public_access_configuration')).toHaveLength(1);
  });
});

describe('LakeDatabase with Delta curated tables', () => {
  const { tf } = synthWith((stack) => {
    const storage = storageIn(stack);
    const db = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
    for (const table of nfeInvoice.curated) db.addDeltaTable(nfeInvoice, table, storage.curated);
  });

  it('registers table_type=DELTA at the table root, no projection, contract columns plus the partition column', () => {
    const invoices = resources(tf, 'aws_glue_catalog_table').find((t) => t.name === 'invoices')!;
    expect(invoices.parameters).toEqual({ EXTERNAL: 'TRUE', table_type: 'DELTA', classification: 'delta', 'spark.sql.sources.provider': 'delta' });
    expect(invoices.partition_keys).toBeUndefined();
    expect(invoices.storage_descriptor.location).toMatch(/\/nfe_invoice\/invoices\/$/);
    // Trino's (and Spark's) Delta reader finds the table through the SerDe parameter `path`
    expect(invoices.storage_descriptor.ser_de_info.parameters).toEqual({ 'serialization.format': '1', path: invoices.storage_descriptor.location });
    const curated = nfeInvoice.curated.find((t) => t.name === 'invoices')!;
    expect(invoices.storage_descriptor.columns).toEqual([...tableGlueColumns(curated), ...gluePartitionKeys(curated)]);
  });
});
