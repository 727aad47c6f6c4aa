import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { checkpointKey, ContractError, RecordContract, RunManifest, SourceConfig, sourceStateKey } from '@nfe-lake/lake-core';
import { JsonStore, Versioned } from './checkpoint/json-store';
import { canClaim, commitCheckpoint } from './checkpoint/lease';
import { Checkpoint, checkpointSchema, Continuation, continuationSchema, runRefOf, SourceState, sourceStateSchema } from './checkpoint/state';
import { CorruptStateError, errorMessage, LeaseLostError, PreconditionFailed, SourceError, storageCall } from './errors';
import { resolveAuth, SecretClients, SecretError } from './fetch/auth';
import { backoffDelayMs } from './fetch/backoff';
import { HttpClient } from './fetch/http-client';
import { Budget, SAFETY_MS } from './run/budget';
import { HANDOFF_GRACE_MS, LEASE_GRACE_MS, MAX_STALLS, RunCollector, RunOutcome, StalledRunError } from './run/collector';
import { newCheckpoint, planRun } from './run/plan';

/** SQS caps DelaySeconds at 15 minutes; longer waits travel as `notBefore`. */
const MAX_SQS_DELAY_SECONDS = 900;

export interface CollectorDeps {
  readonly source: SourceConfig;
  /** Loads the contract of the source's dataset; called once per container (again after a failure). */
  readonly contract: () => Promise<RecordContract>;
  readonly bucket: string;
  readonly continuationQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly secrets: SecretClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** @default Date.now */
  readonly now?: () => number;
  /** Kept back from the invocation budget. @default SAFETY_MS */
  readonly safetyMs?: number;
  /** Multipart chunk size. @default MULTIPART_CHUNK_BYTES */
  readonly chunkBytes?: number;
}

/** An EventBridge Scheduler payload (`{"scheduledTime": "<aws.scheduler.scheduled-time>"}`) or an EventBridge rule event. */
const scheduleEventSchema = z.object({ scheduledTime: z.iso.datetime({ offset: true }).optional(), time: z.iso.datetime({ offset: true }).optional() });
export type ScheduleEvent = z.infer<typeof scheduleEventSchema>;
export type CollectorEvent = ScheduleEvent | SQSEvent;

/** What one invocation did, for the local runner and tests (Lambda ignores a schedule result). */
export interface InvocationResult {
  readonly completed: RunManifest[];
  readonly batchItemFailures: SQSBatchResponse['batchItemFailures'];
}

/** Errors no retry can fix: the run goes to the dead-letter queue with the reason. */
const isPermanent = (e: unknown) => e instanceof SourceError || e instanceof ContractError || e instanceof SecretError || e instanceof CorruptStateError || e instanceof StalledRunError;

const isSqsEvent = (event: CollectorEvent): event is SQSEvent => 'Records' in event && Array.isArray(event.Records);

export function createHandler(deps: CollectorDeps): (event: CollectorEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => Promise<InvocationResult> {
  const { source, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const store = new JsonStore(deps.s3, deps.bucket);
  let contract: Promise<RecordContract> | undefined;
  const contractOf = () =>
    (contract ??= deps.contract().then((c) => {
      if (c.name !== source.dataset) throw new CorruptStateError('contract', `it is the contract of ${c.name}, but source ${source.name} feeds ${source.dataset}`);
      return c;
    })).catch((e) => {
      contract = undefined;
      throw e;
    });
  const stateKey = sourceStateKey(source.name, source.dataset);
  // Auth and the HTTP client live as long as the container, so the rate limit spans invocations.
  let http: Promise<HttpClient> | undefined;
  const httpClient = () =>
    (http ??= resolveAuth(source.auth, deps.secrets).then(
      (authorize) =>
        new HttpClient({
          source: source.name,
          http: source.http,
          authorize,
          onRetry: (info) => {
            metrics.addMetric('Retries', MetricUnit.Count, 1);
            logger.warn('retrying page', { ...info.location, attempt: info.attempt, reason: info.reason, delayMs: info.delayMs });
          },
        }),
    )).catch((e) => {
      http = undefined;
      throw e;
    });

  return async (event, context) => {
    const remainingMs = () => context.getRemainingTimeInMillis();
    const completed: RunManifest[] = [];
    logger.addContext(context as Context);
    try {
      if (isSqsEvent(event)) {
        const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
        for (const record of event.Records) {
          try {
            await onContinuation(record, remainingMs, completed);
          } catch (e) {
            logger.error('continuation failed; SQS will redeliver it', { messageId: record.messageId, error: e as Error });
            batchItemFailures.push({ itemIdentifier: record.messageId });
          }
        }
        return { completed, batchItemFailures };
      }
      const parsed = scheduleEventSchema.safeParse(event);
      if (!parsed.success) throw new CorruptStateError('schedule event', z.prettifyError(parsed.error));
      const at = parsed.data.scheduledTime ?? parsed.data.time;
      await advanceSource(at ? new Date(at) : new Date(now()), remainingMs, completed);
      return { completed, batchItemFailures: [] };
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };

  // -- scheduled: resume the open run or start the next one ---------------------------------

  async function advanceSource(at: Date, remainingMs: () => number, completed: RunManifest[]): Promise<void> {
    for (;;) {
      const state = await store.get(stateKey, sourceStateSchema);
      const current: SourceState = state?.value ?? { version: 1, highWaterMark: null, activeRun: null };
      let run: Versioned<Checkpoint>;
      if (state && current.activeRun) {
        const found = await store.get(checkpointKey(current.activeRun), checkpointSchema);
        if (!found) throw new CorruptStateError(`s3://${deps.bucket}/${stateKey}`, `active run ${current.activeRun.runId} has no checkpoint`);
        if (found.value.status === 'complete') {
          await finishRun(state, found.value);
          continue;
        }
        if (!canClaim(found.value, now())) {
          logger.info(found.value.status === 'failed' ? 'run failed earlier; redrive its dead-letter message to resume it' : 'run in progress elsewhere', {
            runId: found.value.runId,
            status: found.value.status,
            leaseUntil: found.value.leaseUntil,
          });
          return;
        }
        logger.warn('taking over a run whose lease expired', { runId: found.value.runId, leaseUntil: found.value.leaseUntil });
        run = found;
      } else {
        const plan = planRun(source, current.highWaterMark, at);
        if (!plan) {
          logger.info('source is up to date', { highWaterMark: current.highWaterMark });
          return;
        }
        run = await createRun(newCheckpoint(source, plan, now()));
        await store.put(stateKey, { ...current, activeRun: plan.ref }, state ? { ifMatch: state.etag } : { ifNoneMatch: true });
        logger.info('run started', { runId: plan.ref.runId, window: plan.window });
      }
      const outcome = await drive(run, remainingMs);
      if (outcome?.kind !== 'complete') return;
      completed.push(outcome.manifest);
      if (remainingMs() < (deps.safetyMs ?? SAFETY_MS)) return;
    }
  }

  /** Creates the run's checkpoint; one left by a tick that died before updating the source state is reused. */
  async function createRun(checkpoint: Checkpoint): Promise<Versioned<Checkpoint>> {
    const key = checkpointKey(runRefOf(checkpoint));
    try {
      return { value: checkpoint, etag: await store.put(key, checkpoint, { ifNoneMatch: true }) };
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      const existing = await store.get(key, checkpointSchema);
      if (!existing) throw new CorruptStateError(`s3://${deps.bucket}/${key}`, 'exists but cannot be read back');
      return existing;
    }
  }

  /** Moves the source's high-water mark past a completed run and clears the active run. */
  async function finishRun(state: Versioned<SourceState>, run: Checkpoint): Promise<void> {
    await store.put(stateKey, { ...state.value, highWaterMark: run.highWaterMark, activeRun: null }, { ifMatch: state.etag });
  }

  // -- continuations ---------------------------------------------------------------------------

  async function onContinuation(record: SQSRecord, remainingMs: () => number, completed: RunManifest[]): Promise<void> {
    let message: Continuation;
    try {
      message = continuationSchema.parse(JSON.parse(record.body));
    } catch (e) {
      await deadLetter(record.body, `malformed continuation message: ${e instanceof z.ZodError ? z.prettifyError(e) : errorMessage(e)}`);
      return;
    }
    const log = { messageId: record.messageId, runId: message.run.runId, seq: message.seq, receiveCount: record.attributes?.ApproximateReceiveCount };
    if (message.run.source !== source.name || message.run.dataset !== source.dataset) {
      await deadLetter(record.body, `continuation for ${message.run.source}/${message.run.dataset} reached the collector of ${source.name}/${source.dataset}`);
      return;
    }
    const notBefore = message.notBefore ? Date.parse(message.notBefore) : 0;
    if (notBefore > now() + 1000) {
      await send(message, Math.ceil((notBefore - now()) / 1000));
      logger.info('continuation not due yet; re-queued', { ...log, notBefore: message.notBefore });
      return;
    }
    const found = await store.get(checkpointKey(message.run), checkpointSchema);
    if (!found) {
      await deadLetter(record.body, `no checkpoint for run ${message.run.runId}`);
      return;
    }
    if (!canClaim(found.value, now(), message.seq)) {
      // A redelivery, or a message overtaken by a takeover: the run is in someone else's hands.
      logger.info('ignoring a duplicate or stale continuation', { ...log, checkpointSeq: found.value.seq, status: found.value.status });
      metrics.addMetric('DuplicateContinuations', MetricUnit.Count, 1);
      return;
    }
    if (remainingMs() < (deps.safetyMs ?? SAFETY_MS)) throw new Error(`only ${remainingMs()} ms left: too little to start; leaving the message for redelivery`);
    const outcome = await drive(found, remainingMs);
    if (outcome?.kind !== 'complete') return;
    completed.push(outcome.manifest);
    const state = await store.get(stateKey, sourceStateSchema);
    if (state?.value.activeRun?.runId === outcome.manifest.runId) await finishRun(state, found.value);
    // Backfill: go straight on to the next window while windows are due.
    if (source.incremental) await advanceSource(new Date(now()), remainingMs, completed);
  }

  // -- one run, with every way it can end --------------------------------------------------------

  /** Claims and collects a run; hands it off, fails it to the dead-letter queue, or completes it. */
  async function drive(found: Versioned<Checkpoint>, remainingMs: () => number): Promise<RunOutcome | undefined> {
    const leaseUntil = now() + remainingMs() + LEASE_GRACE_MS;
    let claimed: Versioned<Checkpoint>;
    try {
      claimed = await commitCheckpoint(store, found, { ...found.value, status: 'running', failure: null }, leaseUntil);
    } catch (e) {
      if (!(e instanceof LeaseLostError)) throw e;
      logger.info('another invocation claimed the run first', { runId: found.value.runId });
      return undefined;
    }
    logger.appendKeys({ runId: claimed.value.runId });
    let collector: RunCollector | undefined;
    try {
      collector = new RunCollector(
        { source, contract: await contractOf(), s3: deps.s3, store, http: await httpClient(), budget: new Budget(deps.safetyMs), logger, metrics, now, remainingMs, chunkBytes: deps.chunkBytes },
        claimed,
      );
      const outcome = await collector.collect();
      if (outcome.kind === 'handoff') await handOff(collector.checkpoint.value, outcome.reason, outcome.delaySeconds);
      return outcome;
    } catch (e) {
      if (e instanceof LeaseLostError) {
        logger.warn('lost the run to another invocation; stopping', { error: e });
        return undefined;
      }
      // A refused credential may have been rotated: the next invocation reads the secret again.
      if (e instanceof SourceError && (e.status === 401 || e.status === 403)) http = undefined;
      await collector?.discard().catch((abortError) => logger.warn('could not abort the unpublished part', { error: abortError as Error }));
      await recover(collector?.checkpoint ?? claimed, e);
      return undefined;
    } finally {
      logger.removeKeys(['runId']);
    }
  }

  /** After an error: poison runs go to the dead-letter queue; anything else retries later from the checkpoint. */
  async function recover(checkpoint: Versioned<Checkpoint>, error: unknown): Promise<void> {
    const stalls = checkpoint.value.stalls + 1;
    if (isPermanent(error) || stalls > MAX_STALLS) {
      const reason = `${(error as Error).name ?? 'Error'}: ${errorMessage(error)}`;
      const failed = await commitCheckpoint(store, checkpoint, { ...checkpoint.value, status: 'failed', failure: { reason, at: new Date(now()).toISOString() } }, now());
      await deadLetter(JSON.stringify(continuationOf(failed.value, 'error', null, reason)), reason);
      metrics.addMetric('RunsFailed', MetricUnit.Count, 1);
      logger.error('run failed; sent to the dead-letter queue', { error: error as Error, seq: failed.value.seq });
      return;
    }
    const delaySeconds = Math.ceil(backoffDelayMs(stalls, 1000, 300_000) / 1000);
    logger.warn('run interrupted by an error; continuing later from the last checkpoint', { error: error as Error, stalls, delaySeconds });
    const next = await commitCheckpoint(store, checkpoint, { ...checkpoint.value, stalls }, now() + delaySeconds * 1000 + HANDOFF_GRACE_MS);
    await send(continuationOf(next.value, 'error', null), delaySeconds);
  }

  async function handOff(checkpoint: Checkpoint, reason: 'deadline' | 'retry-after', delaySeconds: number): Promise<void> {
    const delay = Math.min(delaySeconds, MAX_SQS_DELAY_SECONDS);
    const notBefore = delaySeconds > MAX_SQS_DELAY_SECONDS ? new Date(now() + delaySeconds * 1000).toISOString() : null;
    await send(continuationOf(checkpoint, reason, notBefore), delay);
    logger.info('handed off to a continuation', { reason, delaySeconds, seq: checkpoint.seq, records: checkpoint.records, parts: checkpoint.parts.length });
  }

  function continuationOf(checkpoint: Checkpoint, reason: Continuation['reason'], notBefore: string | null, failure?: string): Continuation {
    return { version: 1, run: runRefOf(checkpoint), seq: checkpoint.seq, reason, notBefore, ...(failure ? { failure } : {}) };
  }

  async function send(message: Continuation, delaySeconds: number): Promise<void> {
    await storageCall('SendMessage', deps.continuationQueueUrl, () =>
      deps.sqs.send(new SendMessageCommand({ QueueUrl: deps.continuationQueueUrl, MessageBody: JSON.stringify(message), DelaySeconds: Math.min(delaySeconds, MAX_SQS_DELAY_SECONDS) })),
    );
  }

  async function deadLetter(body: string, reason: string): Promise<void> {
    logger.error('sending to the dead-letter queue', { reason });
    await storageCall('SendMessage', deps.deadLetterQueueUrl, () =>
      deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.deadLetterQueueUrl,
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) }, source: { DataType: 'String', StringValue: source.name } },
        }),
      ),
    );
  }
}
