import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { RedshiftdataStatement } from '@cdktf/provider-aws/lib/redshiftdata-statement';
import { LakeBucket, LakeDatabase, LakeWorkgroup, SpectrumSchema, SpectrumTarget } from '../src';
import { nfeInvoice } from './fixtures';
import { KEY_ARN, policyStatements, resources, storageIn, synthWith } from './helpers';

function workgroup(bytesScannedCutoffPerQuery?: number) {
  return synthWith((stack) => {
    const storage = storageIn(stack);
    const database = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
    const wg = new LakeWorkgroup(stack, 'Workgroup', { workgroupName: 'nfe-test-lake', resultsBucket: storage.athenaResults, bytesScannedCutoffPerQuery });
    for (const q of nfeInvoice.namedQueries) wg.addNamedQuery(database, q);
  });
}

describe('LakeWorkgroup', () => {
  it('engine v3, enforced settings, KMS results, 10 GiB scan cutoff and CloudWatch metrics by default', () => {
    const { json } = workgroup();
    expect(json).toHaveResourceWithProperties(AthenaWorkgroup, {
      name: 'nfe-test-lake',
      state: 'ENABLED',
      configuration: {
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: 10 * 1024 ** 3,
        requester_pays_enabled: false,
        engine_version: { selected_engine_version: 'Athena engine version 3' },
        result_configuration: {
          output_location: 's3://${aws_s3_bucket.Storage_AthenaResults_77D61381.bucket}/nfe-test-lake/',
          encryption_configuration: { encryption_option: 'SSE_KMS', kms_key_arn: KEY_ARN },
        },
      },
    });
  });

  it('takes the cutoff from the config and rejects one below the Athena minimum', () => {
    expect(workgroup(100 * 1024 ** 2).tf.resource.aws_athena_workgroup).toMatchObject({ Workgroup_D5BC63A0: { configuration: { bytes_scanned_cutoff_per_query: 104857600 } } });
    expect(() => workgroup(1024)).toThrow('invalid bytesScannedCutoffPerQuery: got 1024; use at least 10485760 bytes (10 MiB, the Athena minimum)');
  });

  it('refuses a results bucket without a KMS key', () => {
    expect(() => synthWith((stack) => new LakeWorkgroup(stack, 'W', { workgroupName: 'nfe-test-x', resultsBucket: new LakeBucket(stack, 'B', { bucketName: 'nfe-test-b' }) }))).toThrow(/has no KMS key: Athena results must be SSE-KMS/);
  });

  it('adds a contract\'s named queries in the lake database (the NF-e example: partition-pruned)', () => {
    const { json, tf } = workgroup();
    const queries = resources(tf, 'aws_athena_named_query');
    expect(queries.map((q) => q.name).sort()).toEqual(['cancellation-rate-by-day', 'raw-records-by-ingest-date', 'revenue-by-state-last-30-days', 'top-10-products-yesterday']);
    expect(queries.every((q) => /WHERE (dt|ingest_date) [>=]/.test(q.query))).toBe(true);
    expect(json).toHaveResourceWithProperties(AthenaNamedQuery, { name: 'raw-records-by-ingest-date', database: '${aws_glue_catalog_database.Database_B269D8BB.name}', workgroup: '${aws_athena_workgroup.Workgroup_D5BC63A0.name}' });
    expect(queries.find((q) => q.name === 'revenue-by-state-last-30-days')!.query).toContain('FROM daily_revenue_by_state');
  });
});

function spectrum(target: SpectrumTarget, externalSchemaName?: string) {
  return synthWith((stack) => {
    const storage = storageIn(stack);
    const database = new LakeDatabase(stack, 'Database', { databaseName: 'nfe_test_lake', catalogKey: storage.key, projectionStartDate: '2026-01-01' });
    new SpectrumSchema(stack, 'Spectrum', { target, database, buckets: [storage.curated, storage.analytics], roleName: 'nfe-test-spectrum', externalSchemaName });
  });
}

describe('SpectrumSchema', () => {
  it('creates the external schema through the Data API on a cluster, with a role scoped to the database and buckets', () => {
    const { json, tf } = spectrum({ type: 'cluster', clusterIdentifier: 'warehouse', database: 'dev', dbUser: 'admin' });
    expect(json).toHaveResourceWithProperties(RedshiftdataStatement, { cluster_identifier: 'warehouse', database: 'dev', db_user: 'admin' });
    const statement = resources(tf, 'aws_redshiftdata_statement')[0];
    expect(statement.sql).toBe(
      "CREATE EXTERNAL SCHEMA IF NOT EXISTS lake FROM DATA CATALOG DATABASE '${aws_glue_catalog_database.Database_B269D8BB.name}' IAM_ROLE '${aws_iam_role.Spectrum_Role_81229D2C.arn}'",
    );
    expect(statement.depends_on).toEqual(expect.arrayContaining([expect.stringContaining('aws_iam_role_policy')]));
    const statements = policyStatements(tf, 'nfe-test-spectrum');
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('glue:')).every((a) => a.startsWith('glue:Get') || a === 'glue:BatchGetPartition')).toBe(true);
    const readable = statements.filter((s) => s.Action.includes('s3:GetObject')).flatMap((s) => s.Resource as string[]);
    expect(readable.map((r) => r.replace(/^\$\{aws_s3_bucket\.Storage_([A-Za-z]+)_.*$/, '$1'))).toEqual(['Curated', 'Analytics']);
  });

  it('targets a Serverless workgroup and a custom schema name; rejects a bad name', () => {
    const { json } = spectrum({ type: 'serverless', workgroupName: 'analytics', database: 'dev' }, 'nfe_lake');
    expect(json).toHaveResourceWithProperties(RedshiftdataStatement, { workgroup_name: 'analytics', sql: expect.stringMatching(/^CREATE EXTERNAL SCHEMA IF NOT EXISTS nfe_lake /) });
    expect(() => spectrum({ type: 'serverless', workgroupName: 'a', database: 'dev' }, 'Lake;drop')).toThrow('invalid externalSchemaName: got "Lake;drop"; use lowercase letters, digits and "_"');
  });
});
