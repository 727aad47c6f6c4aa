export * from './lake-stack-base';
export * from './lake-stack';
export * from './account-baseline-stack';
export * from './compute-stacks';
export * from './lake-app';
export * from './environment-config';
