/**
 * Preload for a workload's process: `tsx --import <this file> <entry> ...` with LAKE_AWS_CALL_LOG set
 * records every AWS SDK call the process makes to that file (one JSON line each).
 */
import { recordCallsTo } from './recorder';

const file = process.env.LAKE_AWS_CALL_LOG;
if (!file) throw new Error('invalid LAKE_AWS_CALL_LOG: got nothing; set it to the file the calls are recorded to');
recordCallsTo(file);
