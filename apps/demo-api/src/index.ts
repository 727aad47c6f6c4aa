export * from './server';
export * from './faults';
