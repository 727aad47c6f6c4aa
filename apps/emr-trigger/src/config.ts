import { TriggerError } from './errors';

/** Environment of the emr-trigger Lambda (see README.md). */
export interface TriggerConfig {
  /** s3:// URI of the EMR launch spec JSON rendered by infra. */
  readonly launchSpecUri: string;
  /** Bucket with the collector's run manifests and the trigger's markers. */
  readonly rawBucket: string;
  /** Most manifests one job run processes (schedule sweeps group pending manifests). */
  readonly maxManifestsPerRun: number;
  /** SDK attempts per EMR call (throttling and transient errors are retried with backoff). */
  readonly emrMaxAttempts: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new TriggerError(`env ${name}=${JSON.stringify(raw)}: expected a positive integer`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TriggerConfig {
  const launchSpecUri = env.LAUNCH_SPEC_URI;
  if (!launchSpecUri || !/^s3:\/\/[^/]+\/.+/.test(launchSpecUri)) {
    throw new TriggerError(`env LAUNCH_SPEC_URI=${JSON.stringify(launchSpecUri ?? '')}: expected s3://<bucket>/<key> of the EMR launch spec`);
  }
  const rawBucket = env.RAW_BUCKET;
  if (!rawBucket) throw new TriggerError('env RAW_BUCKET is not set: the bucket with run manifests and trigger markers');
  return {
    launchSpecUri,
    rawBucket,
    maxManifestsPerRun: positiveInt(env, 'MAX_MANIFESTS_PER_RUN', 24),
    emrMaxAttempts: positiveInt(env, 'EMR_MAX_ATTEMPTS', 5),
  };
}
