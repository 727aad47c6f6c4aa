import { checkpointKey } from '@nfe-lake/lake-core';
import { LeaseLostError, PreconditionFailed } from '../errors';
import { JsonStore, Versioned } from './json-store';
import { Checkpoint, runRefOf } from './state';

/**
 * May this invocation take the run? A continuation may if it carries the checkpoint's current
 * seq (the seq the hand-off wrote); anyone may take a running run whose lease ran out (its holder
 * died). Completed runs are never taken; failed ones only via their dead-letter message's seq.
 */
export function canClaim(checkpoint: Checkpoint, now: number, seq?: number): boolean {
  if (checkpoint.status === 'complete') return false;
  if (seq !== undefined && seq === checkpoint.seq) return true;
  return checkpoint.status === 'running' && Date.parse(checkpoint.leaseUntil) < now;
}

/**
 * Writes `next` as the run's checkpoint with the next seq and a lease until `leaseUntilMs`, on the
 * condition that the stored one is still `current`; otherwise someone else holds the run.
 */
export async function commitCheckpoint(store: JsonStore, current: Versioned<Checkpoint>, next: Checkpoint, leaseUntilMs: number): Promise<Versioned<Checkpoint>> {
  const key = checkpointKey(runRefOf(next));
  const value: Checkpoint = { ...next, seq: current.value.seq + 1, leaseUntil: new Date(leaseUntilMs).toISOString() };
  try {
    return { value, etag: await store.put(key, value, { ifMatch: current.etag }) };
  } catch (e) {
    if (e instanceof PreconditionFailed) throw new LeaseLostError(key);
    throw e;
  }
}
