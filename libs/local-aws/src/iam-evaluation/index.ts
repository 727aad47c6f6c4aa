export * from './recorder';
export * from './requests';
export * from './evaluate';

/** The preload that records a workload process's AWS calls: `tsx --import <RECORD_CALLS_PRELOAD> ...` with LAKE_AWS_CALL_LOG set. */
export const RECORD_CALLS_PRELOAD = require.resolve('./record-calls');
