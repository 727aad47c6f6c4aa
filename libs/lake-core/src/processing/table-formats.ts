/** Curated table formats the Spark job writes (jobs/spark `config.py` TABLE_FORMATS mirrors this list). */
export const TABLE_FORMATS = ['parquet', 'delta'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];
