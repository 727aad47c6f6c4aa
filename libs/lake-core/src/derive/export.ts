import { DatasetContract, derivedTables } from '../contract/dataset';
import { exportLayout } from '../layout/s3-layout';
import { gluePartitionKeys, rawGlueColumns, tableGlueColumns } from './hive';
import { rawSparkSchema, sparkSchema } from './spark';

/** Version of the exported contract's shape; consumers refuse formats they do not know. */
export const EXPORT_FORMAT = 2;

/**
 * The machine-readable contract for non-TypeScript consumers (the Spark job, the collector at
 * runtime): everything needed to read, validate, normalise and write a dataset, derived from the
 * one contract. `sparkSchema` fields are in the order of `source.columns` (curated tables); the
 * partition column comes from `partitioning`.
 */
export function exportContract(contract: DatasetContract) {
  return {
    format: EXPORT_FORMAT,
    generatedFrom: 'a lake-core dataset contract (do not edit; regenerate with the lake-core export)',
    name: contract.name,
    version: contract.version,
    description: contract.description,
    primaryKey: contract.primaryKey,
    eventTimeField: contract.eventTimeField,
    businessDateField: contract.businessDateField,
    columns: contract.columns,
    rawSparkSchema: rawSparkSchema(contract),
    rawGlueColumns: rawGlueColumns(contract),
    rawPartitioning: contract.rawPartitioning,
    tables: Object.fromEntries(
      derivedTables(contract).map((t) => [
        t.name,
        {
          layer: t.layer,
          description: t.description,
          primaryKey: t.primaryKey,
          partitioning: t.partitioning,
          sparkSchema: sparkSchema(t.columns),
          glueColumns: tableGlueColumns(t),
          partitionKeys: gluePartitionKeys(t),
          source: t.source,
        },
      ]),
    ),
    namedQueries: contract.namedQueries,
    layout: exportLayout(),
  };
}

export type ExportedContract = ReturnType<typeof exportContract>;
