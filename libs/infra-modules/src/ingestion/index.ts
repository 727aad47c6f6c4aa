export * from './api-collector-props';
export * from './api-collector';
