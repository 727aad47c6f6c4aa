import { DatasetContract, derivedTables } from '../contract/dataset';
import { exportLayout } from '../layout/s3-layout';
import { gluePartitionKeys, rawGlueColumns, tableGlueColumns } from './hive';
import { rawSparkSchema, sparkSchema } from './spark';

/**
 * The machine-readable contract for non-TypeScript consumers (the Spark job): everything it
 * needs to read, validate, normalise and write a dataset, derived from the one contract.
 */
export function exportContract(contract: DatasetContract) {
  return {
    generatedFrom: 'libs/lake-core (do not edit; regenerate with `nx run lake-core:export`)',
    name: contract.name,
    version: contract.version,
    primaryKey: contract.primaryKey,
    eventTimeField: contract.eventTimeField,
    businessDateField: contract.businessDateField,
    rawPartitioning: contract.rawPartitioning,
    columns: contract.columns,
    rawSparkSchema: rawSparkSchema(contract),
    rawGlueColumns: rawGlueColumns(contract),
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
        },
      ]),
    ),
    layout: exportLayout(),
  };
}

export type ExportedContract = ReturnType<typeof exportContract>;
