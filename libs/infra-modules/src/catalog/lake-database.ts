import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { DatasetContract, DatePartitioning, DerivedTable, GlueColumn, gluePartitionKeys, rawDatasetPrefix, rawGlueColumns, rawTableName, tableGlueColumns, tablePrefix } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { AwsEnv } from '../common/aws-env';
import { IGrantable } from '../common/iam';
import { RemovalPolicy, applyRemovalPolicy } from '../common/removal-policy';
import { check } from '../common/validate';
import { ILakeBucket } from '../storage/lake-bucket';
import { ILakeKey } from '../storage/lake-key';

export interface IGlueDatabase {
  readonly databaseName: string;
  readonly databaseArn: string;
  /** Read the database's metadata (tables, partitions). */
  grantRead(grantee: IGrantable): void;
  /** Read and change tables and partitions (the Spark job). */
  grantWrite(grantee: IGrantable): void;
}

/** A database someone else owns (e.g. the lake stack's, seen from another team's stack). */
export interface LakeDatabaseAttributes {
  readonly databaseName: string;
  /** The key the account's Data Catalog is encrypted with: grants then include it. @default - none (catalog not encrypted with a customer key) */
  readonly catalogKey?: ILakeKey;
}

/** Grants, the same for a database this stack creates and one it imports. */
abstract class GlueDatabaseBase extends Construct implements IGlueDatabase {
  abstract readonly databaseName: string;
  abstract readonly databaseArn: string;
  protected abstract readonly catalogKey?: ILakeKey;

  grantRead(grantee: IGrantable): void {
    grantee.addToPolicy({
      Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      Resource: this.catalogResources(),
    });
    this.catalogKey?.grantDecrypt(grantee);
  }

  grantWrite(grantee: IGrantable): void {
    this.grantRead(grantee);
    grantee.addToPolicy({
      Action: ['glue:CreateTable', 'glue:UpdateTable', 'glue:CreatePartition', 'glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:DeletePartition', 'glue:BatchDeletePartition'],
      Resource: this.catalogResources(),
    });
    this.catalogKey?.grantEncryptDecrypt(grantee);
  }

  private catalogResources(): string[] {
    const env = AwsEnv.of(this);
    return [env.arn('glue', 'catalog'), this.databaseArn, env.arn('glue', `table/${this.databaseName}/*`)];
  }
}

const checkDatabaseName = (name: string) => check('databaseName', name, (n) => GLUE_NAME.test(n), 'use lowercase letters, digits and "_" (Glue/Athena names), e.g. "nfe_dev_lake"');

export interface LakeDatabaseProps {
  /** Glue database name: lowercase letters, digits and `_`. */
  readonly databaseName: string;
  /** The key the Data Catalog is encrypted with; readers need Decrypt on it. */
  readonly catalogKey: ILakeKey;
  /** First date of the data (YYYY-MM-DD): partition projection enumerates days from here to today. */
  readonly projectionStartDate: string;
  /** @default - none */
  readonly description?: string;
  /**
   * `retain`: `terraform destroy` refuses to delete the database or any of its tables. `destroy` needs
   * the app-wide opt-in (`LakeApp({ allowDataDestruction: true })`).
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicy;
}

const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;

/** Hive partitioning with partition projection on a date column, so no crawler or MSCK is ever needed. */
function dateProjection(partitioning: DatePartitioning, location: string, start: string): Record<string, string> {
  const c = partitioning.column;
  return {
    'projection.enabled': 'true',
    [`projection.${c}.type`]: 'date',
    [`projection.${c}.format`]: 'yyyy-MM-dd',
    [`projection.${c}.range`]: `${start},NOW`,
    [`projection.${c}.interval`]: '1',
    [`projection.${c}.interval.unit`]: 'DAYS',
    // `$${...}` is Terraform's escape for a literal `${...}`: Athena fills it in, not Terraform
    'storage.location.template': `${location}${c}=$\${${c}}/`,
  };
}

const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serDeInfo: { name: 'parquet', serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
};

const columns = (cols: readonly GlueColumn[]) => cols.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));

/** A Glue database whose tables come from lake-core dataset contracts, never retyped. */
export class LakeDatabase extends GlueDatabaseBase {
  /** A database this stack does not manage, by name: grants on it and its tables, no resource. */
  static fromDatabaseAttributes(scope: Construct, id: string, attrs: LakeDatabaseAttributes): IGlueDatabase {
    const databaseName = checkDatabaseName(attrs.databaseName);
    class Import extends GlueDatabaseBase {
      readonly databaseName = databaseName;
      readonly databaseArn = AwsEnv.of(scope).arn('glue', `database/${databaseName}`);
      protected readonly catalogKey = attrs.catalogKey;
    }
    return new Import(scope, id);
  }

  readonly resource: GlueCatalogDatabase;
  readonly databaseName: string;
  readonly databaseArn: string;
  readonly tables: Record<string, GlueCatalogTable> = {};
  protected readonly catalogKey: ILakeKey;
  private readonly projectionStartDate: string;

  constructor(scope: Construct, id: string, props: LakeDatabaseProps) {
    super(scope, id);
    const name = checkDatabaseName(props.databaseName);
    this.catalogKey = props.catalogKey;
    this.projectionStartDate = check('projectionStartDate', props.projectionStartDate, (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)), 'use the first date of the data as YYYY-MM-DD, e.g. "2026-01-01"');
    this.resource = new GlueCatalogDatabase(this, 'Resource', { name, description: props.description });
    this.databaseName = this.resource.name;
    this.databaseArn = this.resource.arn;
    applyRemovalPolicy(this, props.removalPolicy);
  }

  /** The raw JSON table of a dataset: gzip NDJSON under `<source>/<dataset>/ingest_date=.../` (`run=<id>.part-N.jsonl.gz`). */
  addRawTable(contract: DatasetContract, source: string, bucket: ILakeBucket): GlueCatalogTable {
    const location = bucket.s3Uri(rawDatasetPrefix(source, contract.name));
    return this.addGlueTable(rawTableName(contract.name), `Raw ${contract.name} records from source ${source} (as served, gzip NDJSON).`, {
      columns: rawGlueColumns(contract),
      partitioning: contract.rawPartitioning,
      location,
      parameters: { classification: 'json', compressionType: 'gzip', typeOfData: 'file' },
      storageDescriptor: {
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serDeInfo: {
          name: 'openx-json',
          serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          // one malformed line must not fail every query over the raw layer
          parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true', 'dots.in.keys': 'false' },
        },
      },
    });
  }

  /** A curated/analytics Parquet table under `<dataset>/<table>/dt=YYYY-MM-DD/`. */
  addTable(contract: DatasetContract, table: DerivedTable, bucket: ILakeBucket): GlueCatalogTable {
    return this.addGlueTable(table.name, table.description, {
      columns: tableGlueColumns(table),
      partitioning: table.partitioning,
      location: bucket.s3Uri(tablePrefix(contract.name, table.name)),
      parameters: { classification: 'parquet' },
      storageDescriptor: PARQUET_STORAGE,
    });
  }

  /**
   * A curated table the Spark job writes as Delta Lake. Athena reads Delta natively from a Glue table
   * with `table_type=DELTA` (schema and partitions come from the Delta log, so no projection); the
   * columns are still the contract's, for catalog browsing. The SerDe parameter `path` names the table
   * location, where Spark's and Trino's Delta readers look for it.
   */
  addDeltaTable(contract: DatasetContract, table: DerivedTable, bucket: ILakeBucket): GlueCatalogTable {
    if (this.tables[table.name]) throw new Error(`table "${table.name}" is defined twice in ${this.node.path}: give each dataset's tables distinct names`);
    const location = bucket.s3Uri(tablePrefix(contract.name, table.name));
    const resource = new GlueCatalogTable(this, table.name, {
      name: table.name,
      databaseName: this.databaseName,
      description: table.description,
      tableType: 'EXTERNAL_TABLE',
      parameters: { EXTERNAL: 'TRUE', table_type: 'DELTA', classification: 'delta', 'spark.sql.sources.provider': 'delta' },
      storageDescriptor: {
        location,
        columns: columns([...tableGlueColumns(table), ...gluePartitionKeys(table)]),
        ...PARQUET_STORAGE,
        serDeInfo: { ...PARQUET_STORAGE.serDeInfo, parameters: { ...PARQUET_STORAGE.serDeInfo.parameters, path: location } },
      },
    });
    this.tables[table.name] = resource;
    return resource;
  }

  private addGlueTable(
    name: string,
    description: string,
    spec: {
      columns: readonly GlueColumn[];
      partitioning: DatePartitioning;
      location: string;
      parameters: Record<string, string>;
      storageDescriptor: { inputFormat: string; outputFormat: string; serDeInfo: { name: string; serializationLibrary: string; parameters: Record<string, string> } };
    },
  ): GlueCatalogTable {
    if (this.tables[name]) throw new Error(`table "${name}" is defined twice in ${this.node.path}: give each dataset's tables distinct names`);
    const table = new GlueCatalogTable(this, name, {
      name,
      databaseName: this.databaseName,
      description,
      tableType: 'EXTERNAL_TABLE',
      parameters: { EXTERNAL: 'TRUE', ...spec.parameters, ...dateProjection(spec.partitioning, spec.location, this.projectionStartDate) },
      partitionKeys: columns(gluePartitionKeys({ partitioning: spec.partitioning })),
      storageDescriptor: { location: spec.location, columns: columns(spec.columns), ...spec.storageDescriptor },
    });
    this.tables[name] = table;
    return table;
  }
}
