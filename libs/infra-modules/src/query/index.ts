export * from './lake-workgroup';
export * from './demo-queries';
