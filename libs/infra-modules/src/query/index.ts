export * from './lake-workgroup';
