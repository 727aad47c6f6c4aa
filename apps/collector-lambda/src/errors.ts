/** Where in a source a problem happened: enough to find the request again. */
export interface SourceLocation {
  readonly source: string;
  readonly url: string;
  /** 0-based page sequence number within the run. */
  readonly page: number;
}

/** The source API failed in a way retries did not fix (or cannot fix): the run stops as poison. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${message} (source ${location.source}, page ${location.page}, ${location.url})`, options);
    this.name = 'SourceError';
  }
}

/** The API asked us to come back later than we are willing to sleep: continue via a delayed message. */
export class RetryDeferred extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly location: SourceLocation,
  ) {
    super(`source ${location.source} asked to retry after ${retryAfterSeconds}s (page ${location.page}, ${location.url})`);
    this.name = 'RetryDeferred';
  }
}

/** Another invocation took over the run (our conditional checkpoint write lost): stop without side effects. */
export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super(`lost the lease on ${key}: another invocation owns this run now`);
    this.name = 'LeaseLostError';
  }
}

/** A conditional S3 write failed its precondition (`If-Match` / `If-None-Match`). */
export class PreconditionFailed extends Error {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`precondition failed writing ${key}`, options);
    this.name = 'PreconditionFailed';
  }
}

/** A stored object (checkpoint, state, message) does not match its schema. */
export class CorruptStateError extends Error {
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`corrupt ${where}: ${detail}`);
    this.name = 'CorruptStateError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An S3/SQS call failed (transient as far as we know: the run hands off and retries later). */
export class StorageError extends Error {
  constructor(
    readonly operation: string,
    readonly target: string,
    options: { cause: unknown },
  ) {
    super(`${operation} ${target} failed: ${errorMessage(options.cause)}`, options);
    this.name = 'StorageError';
  }
}

/** Runs `call`; a 412 becomes `PreconditionFailed`, anything else a `StorageError` naming the target. */
export async function storageCall<T>(operation: string, target: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) throw new PreconditionFailed(target, { cause: e });
    throw new StorageError(operation, target, { cause: e });
  }
}
