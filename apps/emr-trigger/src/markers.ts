import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RunRef, triggerMarkerKey } from '@nfe-lake/lake-core';

/** One job run the trigger started (or found already submitted). */
export interface StartedRun {
  readonly jobRunId: string;
  readonly mode: 'transient' | 'persistent';
  readonly clusterId: string;
  readonly stepIds: readonly string[];
  readonly manifestKeys: readonly string[];
  /** true when the run was found already submitted (step name / cluster name) rather than started now */
  readonly adopted: boolean;
}

/** What the trigger records per manifest: claimed (a run is being started) or started (with the ids). */
export type Marker =
  | { readonly state: 'claimed'; readonly manifestKey: string; readonly claimedAt: string }
  | (StartedRun & { readonly state: 'started'; readonly manifestKey: string; readonly claimedAt: string; readonly startedAt: string });

const CONFLICT = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);

/** Creates the marker only if none exists (S3 conditional write): the first claimant wins. */
export async function claim(s3: S3Client, bucket: string, ref: RunRef, marker: Marker): Promise<boolean> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: triggerMarkerKey(ref), Body: JSON.stringify(marker), IfNoneMatch: '*', ContentType: 'application/json' }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (CONFLICT.has((err as Error).name) || status === 412 || status === 409) return false;
    throw err;
  }
}

export async function record(s3: S3Client, bucket: string, ref: RunRef, marker: Marker): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: triggerMarkerKey(ref), Body: JSON.stringify(marker, null, 2), ContentType: 'application/json' }));
}

/** Gives claims back after a failed start, so a retry (Lambda retry or the next sweep) can start the run. */
export async function release(s3: S3Client, bucket: string, refs: readonly RunRef[]): Promise<void> {
  await Promise.all(refs.map((ref) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: triggerMarkerKey(ref) }))));
}
