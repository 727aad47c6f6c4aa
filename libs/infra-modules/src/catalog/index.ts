export * from './lake-database';
export * from './catalog-encryption';
