export * from './lake-database';
export * from './catalog-encryption';
export * from './dataset-contract-object';
