/** Where Trino finds the lake: moto's Glue as the metastore, moto's S3 for the files. */
export interface TrinoAwsTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Trino's catalogs over the Glue Data Catalog and S3, set up as Athena engine v3 reads them:
 * - `hive`: Hive tables (JSON, Parquet) with partition projection from the table properties;
 *   a Glue table with `table_type=DELTA` is redirected to `delta`, as Athena does.
 * - `delta`: Delta Lake tables (schema and partitions from the Delta log).
 * Statistics are off, read and write: moto does not implement Glue's column-statistics APIs.
 * INSERT into external tables is allowed, as Athena allows it (every Athena table is external).
 */
export function trinoCatalogs(aws: TrinoAwsTarget): Record<'hive' | 'delta', Record<string, string>> {
  const glue = {
    'hive.metastore': 'glue',
    'hive.metastore.glue.region': aws.region,
    'hive.metastore.glue.endpoint-url': aws.endpoint,
    'hive.metastore.glue.aws-access-key': aws.credentials.accessKeyId,
    'hive.metastore.glue.aws-secret-key': aws.credentials.secretAccessKey,
  };
  const s3 = {
    'fs.native-s3.enabled': 'true',
    's3.endpoint': aws.endpoint,
    's3.region': aws.region,
    's3.path-style-access': 'true',
    's3.aws-access-key': aws.credentials.accessKeyId,
    's3.aws-secret-key': aws.credentials.secretAccessKey,
  };
  return {
    hive: {
      'connector.name': 'hive',
      ...glue,
      ...s3,
      'hive.partition-projection-enabled': 'true',
      'hive.delta-lake-catalog-name': 'delta',
      'hive.table-statistics-enabled': 'false',
      'hive.collect-column-statistics-on-write': 'false',
      'hive.non-managed-table-writes-enabled': 'true',
    },
    delta: {
      'connector.name': 'delta_lake',
      ...glue,
      ...s3,
      'delta.hive-catalog-name': 'hive',
      'delta.table-statistics-enabled': 'false',
      // one writer at a time (S3 has no atomic rename): tests write Delta tables through it
      'delta.enable-non-concurrent-writes': 'true',
    },
  };
}
