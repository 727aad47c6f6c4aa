import { createHash } from 'node:crypto';
import {
  AddJobFlowStepsCommand,
  ClusterState,
  DescribeClusterCommand,
  EMRClient,
  ListClustersCommand,
  ListStepsCommand,
  RunJobFlowCommand,
  StepState,
} from '@aws-sdk/client-emr';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  EmrLaunchSpec,
  LayoutError,
  MANIFEST_PREFIX,
  RunManifest,
  RunRef,
  parseManifestKey,
  runManifestSchema,
  triggerMarkerKey,
} from '@nfe-lake/lake-core';
import { TriggerConfig } from './config';
import { callEmr } from './emr-call';
import { DATASET_TAG, JobRun, clusterName, runJobFlowInput, sparkStep, stepName } from './emr-request';
import { TriggerError } from './errors';
import { loadLaunchSpec } from './launch-spec';
import { StartedRun, claim, record, release } from './markers';

export type { StartedRun } from './markers';

/** EventBridge "Object Created" from the raw bucket (rule filtered on the manifest prefix). */
export interface ManifestCreatedEvent {
  readonly source: 'aws.s3';
  readonly 'detail-type': 'Object Created';
  readonly detail: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string } };
}

/** EventBridge schedule: sweep for manifests no run has claimed yet. */
export interface ScheduledSweepEvent {
  readonly source: 'aws.events';
  readonly 'detail-type': 'Scheduled Event';
}

export type TriggerEvent = ManifestCreatedEvent | ScheduledSweepEvent;

export interface TriggerResult {
  readonly started: StartedRun[];
  /** Manifests another invocation had already claimed. */
  readonly alreadyClaimed: string[];
  /** Manifests left for a later sweep: another run of the dataset is still on a transient cluster. */
  readonly deferred: string[];
  /** Keys that are not run manifests of the spec's dataset. */
  readonly ignored: string[];
}

export interface TriggerDeps {
  readonly s3: S3Client;
  readonly emr: EMRClient;
  readonly config: TriggerConfig;
  readonly logger: Logger;
  readonly now?: () => Date;
}

interface LoadedManifest {
  readonly key: string;
  readonly ref: RunRef;
  readonly manifest: RunManifest;
}

type RunIds = { clusterId: string; stepIds: string[]; adopted: boolean };

const LIVE_CLUSTER: string[] = [ClusterState.STARTING, ClusterState.BOOTSTRAPPING, ClusterState.RUNNING, ClusterState.WAITING];
const LIVE_STEP: StepState[] = [StepState.PENDING, StepState.RUNNING, StepState.COMPLETED, StepState.CANCEL_PENDING];

/** Deterministic id of a group of manifests: the run id for one, a digest-suffixed id for several. */
export function jobRunIdOf(refs: readonly RunRef[]): string {
  if (refs.length === 1) return refs[0].runId;
  const digest = createHash('sha256').update(refs.map((r) => `${r.source}/${r.dataset}/${r.ingestDate}/${r.runId}`).join('\n')).digest('hex');
  return `${refs[0].runId.slice(0, 80)}.n${refs.length}.${digest.slice(0, 12)}`;
}

export class Trigger {
  private readonly now: () => Date;

  constructor(private readonly deps: TriggerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async handle(event: TriggerEvent): Promise<TriggerResult> {
    const { config, logger } = this.deps;
    const spec = await loadLaunchSpec(this.deps.s3, config.launchSpecUri);
    if (spec.job.rawBucket !== config.rawBucket) {
      throw new TriggerError(`launch spec ${config.launchSpecUri} job.rawBucket "${spec.job.rawBucket}" differs from env RAW_BUCKET "${config.rawBucket}"`);
    }
    const result: TriggerResult = { started: [], alreadyClaimed: [], deferred: [], ignored: [] };
    const keys = await this.manifestKeys(event);
    const ours: string[] = [];
    for (const key of keys) {
      const ref = manifestRef(key);
      if (ref && ref.dataset === spec.dataset) ours.push(key);
      else result.ignored.push(key);
    }
    if (result.ignored.length) logger.warn('ignoring keys that are not run manifests of the dataset', { dataset: spec.dataset, keys: result.ignored });

    const loaded = await Promise.allSettled(ours.map((key) => this.loadManifest(key)));
    const manifests = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    manifests.sort((a, b) => a.ref.ingestDate.localeCompare(b.ref.ingestDate) || a.ref.runId.localeCompare(b.ref.runId));
    for (let i = 0; i < manifests.length; i += config.maxManifestsPerRun) {
      const run = await this.startGroup(spec, manifests.slice(i, i + config.maxManifestsPerRun), result);
      if (run) result.started.push(run);
    }
    const invalid = loaded.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (invalid.length) throw new TriggerError(`${invalid.length} run manifest(s) are invalid and were not processed: ${invalid.join('; ')}`);
    logger.info('trigger done', { ...result });
    return result;
  }

  private async manifestKeys(event: TriggerEvent): Promise<string[]> {
    const { rawBucket } = this.deps.config;
    if (event['detail-type'] === 'Object Created') {
      if (event.detail.bucket.name !== rawBucket) {
        throw new TriggerError(`event for bucket "${event.detail.bucket.name}", but this trigger watches RAW_BUCKET "${rawBucket}"`);
      }
      // S3 event keys may arrive URL-encoded; layout keys never contain '%' or '+' themselves
      return [decodeURIComponent(event.detail.object.key.replace(/\+/g, ' '))];
    }
    if (event['detail-type'] === 'Scheduled Event') {
      const [manifests, markers] = await Promise.all([this.list(MANIFEST_PREFIX), this.list('_control/emr-trigger/')]);
      const marked = new Set(markers);
      return manifests.filter((key) => {
        const ref = manifestRef(key);
        return !ref || !marked.has(triggerMarkerKey(ref));
      });
    }
    throw new TriggerError(`unsupported event: ${JSON.stringify(event).slice(0, 200)}`);
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.deps.s3.send(new ListObjectsV2Command({ Bucket: this.deps.config.rawBucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  private async loadManifest(key: string): Promise<LoadedManifest> {
    const where = `s3://${this.deps.config.rawBucket}/${key}`;
    const ref = parseManifestKey(key);
    let doc: unknown;
    try {
      const object = await this.deps.s3.send(new GetObjectCommand({ Bucket: this.deps.config.rawBucket, Key: key }));
      doc = JSON.parse((await object.Body?.transformToString()) ?? '');
    } catch (err) {
      throw new TriggerError(`run manifest ${where}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = runManifestSchema.safeParse(doc);
    if (!parsed.success) {
      throw new TriggerError(`run manifest ${where} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const m = parsed.data;
    if (m.runId !== ref.runId || m.dataset !== ref.dataset || m.source !== ref.source || m.ingestDate !== ref.ingestDate) {
      throw new TriggerError(`run manifest ${where} describes ${m.source}/${m.dataset}/${m.ingestDate}/${m.runId}, not what its key says`);
    }
    return { key, ref, manifest: m };
  }

  /** Claims the group's manifests, then starts (or adopts) one job run for the claimed ones. */
  private async startGroup(spec: EmrLaunchSpec, group: readonly LoadedManifest[], result: TriggerResult): Promise<StartedRun | undefined> {
    const { s3, config, logger } = this.deps;
    const claimedAt = this.now().toISOString();
    const claims = await Promise.all(group.map((m) => claim(s3, config.rawBucket, m.ref, { state: 'claimed', manifestKey: m.key, claimedAt })));
    const claimed = group.filter((_, i) => claims[i]);
    result.alreadyClaimed.push(...group.filter((_, i) => !claims[i]).map((m) => m.key));
    if (claimed.length === 0) return undefined;

    const run: JobRun = { jobRunId: jobRunIdOf(claimed.map((m) => m.ref)), manifestKeys: claimed.map((m) => m.key) };
    let ids: RunIds | 'busy';
    try {
      ids = spec.mode === 'transient' ? await this.runTransient(spec, run) : await this.addSteps(spec, run);
    } catch (err) {
      await release(s3, config.rawBucket, claimed.map((m) => m.ref));
      throw err;
    }
    if (ids === 'busy') {
      await release(s3, config.rawBucket, claimed.map((m) => m.ref));
      result.deferred.push(...run.manifestKeys);
      logger.info('another run of the dataset is active; manifests left for the next sweep', { manifestKeys: run.manifestKeys });
      return undefined;
    }
    const started: StartedRun = { jobRunId: run.jobRunId, mode: spec.mode, manifestKeys: run.manifestKeys, ...ids };
    const startedAt = this.now().toISOString();
    await Promise.all(claimed.map((m) => record(s3, config.rawBucket, m.ref, { state: 'started', manifestKey: m.key, claimedAt, startedAt, ...started })));
    logger.info(ids.adopted ? 'job run already submitted; recorded it' : 'job run started', { ...started });
    return started;
  }

  /** Adopts a live cluster of this run, or reports 'busy' while another run of the dataset is live
   * (two runs rewriting the same date partitions at once could lose rows), or starts the cluster. */
  private async runTransient(spec: EmrLaunchSpec, run: JobRun): Promise<RunIds | 'busy'> {
    const name = clusterName(spec, run);
    const live = (await this.emr('ListClusters', () => this.deps.emr.send(new ListClustersCommand({ ClusterStates: LIVE_CLUSTER as ClusterState[] })))).Clusters ?? [];
    const existing = live.find((c) => c.Name === name);
    if (!existing && (await this.anotherRunOfDataset(spec, live.filter((c) => c.Name?.startsWith(`${spec.clusterName}-`))))) return 'busy';
    const clusterId = existing?.Id ?? (await this.emr('RunJobFlow', () => this.deps.emr.send(new RunJobFlowCommand(runJobFlowInput(spec, run))))).JobFlowId;
    if (!clusterId) throw new TriggerError(`EMR RunJobFlow for run ${run.jobRunId} returned no cluster id`);
    return { clusterId, stepIds: await this.stepIds(clusterId, stepName(spec, run)), adopted: Boolean(existing) };
  }

  /**
   * Whether one of these live clusters runs this dataset. The name prefix alone cannot tell: the
   * cluster of dataset `orders_eu` (`...-spark-orders-eu-<run>`) starts like one of `orders`; the
   * dataset tag every run's cluster carries can.
   */
  private async anotherRunOfDataset(spec: EmrLaunchSpec, candidates: readonly { Id?: string }[]): Promise<boolean> {
    for (const candidate of candidates) {
      const described = await this.emr('DescribeCluster', () => this.deps.emr.send(new DescribeClusterCommand({ ClusterId: candidate.Id })));
      if (described.Cluster?.Tags?.some((t) => t.Key === DATASET_TAG && t.Value === spec.dataset)) return true;
    }
    return false;
  }

  private async addSteps(spec: EmrLaunchSpec, run: JobRun): Promise<RunIds> {
    // the spec schema requires persistentClusterId in persistent mode
    const clusterId = spec.persistentClusterId ?? '';
    let state: string | undefined;
    try {
      state = (await this.emr('DescribeCluster', () => this.deps.emr.send(new DescribeClusterCommand({ ClusterId: clusterId })))).Cluster?.Status?.State;
    } catch (err) {
      if (err instanceof TriggerError) throw err;
      throw new TriggerError(`persistent cluster ${clusterId} (launch spec persistentClusterId) not found: ${(err as Error).message}`, { cause: err });
    }
    if (!state || !LIVE_CLUSTER.includes(state)) {
      throw new TriggerError(`persistent cluster ${clusterId} is ${state ?? 'in an unknown state'}; it cannot take steps (start it or update persistentClusterId in the launch spec)`);
    }
    const existing = await this.stepIds(clusterId, stepName(spec, run));
    if (existing.length) return { clusterId, stepIds: existing, adopted: true };
    const added = await this.emr('AddJobFlowSteps', () => this.deps.emr.send(new AddJobFlowStepsCommand({ JobFlowId: clusterId, Steps: [sparkStep(spec, run)] })));
    return { clusterId, stepIds: added.StepIds ?? [], adopted: false };
  }

  private async stepIds(clusterId: string, name: string): Promise<string[]> {
    const steps = await this.emr('ListSteps', () => this.deps.emr.send(new ListStepsCommand({ ClusterId: clusterId, StepStates: LIVE_STEP })));
    return (steps.Steps ?? []).flatMap((s) => (s.Name === name && s.Id ? [s.Id] : []));
  }

  private emr<T>(action: string, call: () => Promise<T>): Promise<T> {
    return callEmr(action, call, this.deps.config.launchSpecUri);
  }
}

function manifestRef(key: string): RunRef | undefined {
  try {
    return parseManifestKey(key);
  } catch (err) {
    if (err instanceof LayoutError) return undefined;
    throw err;
  }
}
