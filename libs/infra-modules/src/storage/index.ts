export * from './lake-key';
export * from './lake-bucket-props';
export * from './lake-bucket';
export * from './lake-storage';
