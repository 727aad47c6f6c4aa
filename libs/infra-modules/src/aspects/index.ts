export * from './lake-tags';
export * from './naming-guard';
export * from './encryption-guard';
export * from './lake-aspects';
