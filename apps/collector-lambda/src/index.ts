import type { Context } from 'aws-lambda';
import { CollectorEvent, createHandler, InvocationResult } from './handler';
import { depsFromEnv } from './env';

let instance: ReturnType<typeof createHandler> | undefined;

/**
 * The Lambda entry point. An EventBridge Scheduler event resumes the open run or starts the next
 * window; an SQS event carries continuations and gets partial batch failures back.
 */
export const handler = async (event: CollectorEvent, context: Context): Promise<InvocationResult> => (instance ??= createHandler(depsFromEnv()))(event, context);
