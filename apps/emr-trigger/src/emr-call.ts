import { TriggerError } from './errors';

const THROTTLED = new Set(['ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Runs one EMR call (the SDK client retries throttling with backoff up to its maxAttempts) and
 * names the action in errors: throttling that outlived the retries and rejected requests get
 * messages that say what to do. */
export async function callEmr<T>(action: string, call: () => Promise<T>, launchSpecUri: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as Error & { $metadata?: { attempts?: number } };
    if (THROTTLED.has(e.name)) {
      throw new TriggerError(`EMR ${action} throttled after ${e.$metadata?.attempts ?? '?'} attempt(s); raise EMR_MAX_ATTEMPTS or retry later`, { cause: err });
    }
    if (e.name === 'ValidationException' || (e.name === 'InvalidRequestException' && action === 'RunJobFlow')) {
      throw new TriggerError(`EMR rejected ${action}: ${e.message} (check the launch spec ${launchSpecUri})`, { cause: err });
    }
    throw err;
  }
}
