export * from './spectrum-schema';
