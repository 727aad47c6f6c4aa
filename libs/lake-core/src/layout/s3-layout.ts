/**
 * The S3 layout of the lake: every key any app, job or construct reads or writes is built
 * and parsed here. Templates are exported to JSON (see `exportLayout`) for the Spark job.
 */

export interface RawObjectRef {
  readonly source: string;
  readonly dataset: string;
  /** YYYY-MM-DD (UTC) the run collected. */
  readonly ingestDate: string;
  readonly runId: string;
  /** 0-based part number within the run. */
  readonly part: number;
}

export interface RunRef {
  readonly source: string;
  readonly dataset: string;
  readonly ingestDate: string;
  readonly runId: string;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const RUN_ID = /^[0-9A-Za-z][0-9A-Za-z_.-]{0,127}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PART_DIGITS = 6;

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

function check(what: string, value: string, re: RegExp, accepted: string): string {
  if (!re.test(value)) throw new LayoutError(`invalid ${what} ${JSON.stringify(value)}: expected ${accepted}`);
  return value;
}

const name = (what: string, v: string) => check(what, v, NAME, 'lowercase letters, digits, "_" or "-", starting with a letter');
const runId = (v: string) => check('run id', v, RUN_ID, 'letters, digits, "_", "." or "-" (max 128)');
const date = (v: string) => {
  check('date', v, DATE, 'YYYY-MM-DD');
  if (Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
    throw new LayoutError(`invalid date ${JSON.stringify(v)}: not a calendar date`);
  }
  return v;
};
const part = (n: number) => {
  if (!Number.isInteger(n) || n < 0 || n >= 10 ** PART_DIGITS) throw new LayoutError(`invalid part number ${n}: expected 0..${10 ** PART_DIGITS - 1}`);
  return String(n).padStart(PART_DIGITS, '0');
};

// the raw bucket's bookkeeping beside the data (which sits under rawDatasetPrefix)
const STATE_PREFIX = '_state/';
const CONTROL_PREFIX = '_control/';

/** Prefix of a dataset's raw data: `<source>/<dataset>/`. */
export function rawDatasetPrefix(source: string, dataset: string): string {
  return `${name('source', source)}/${name('dataset', dataset)}/`;
}

/**
 * Key of one raw part: `<source>/<dataset>/ingest_date=<d>/run=<id>.part-000042.jsonl.gz`. The parts sit
 * directly in their `ingest_date=` partition (the run is in the file name), so the raw table's
 * projection template finds them without recursive listing, as Athena reads a Hive partition.
 */
export function rawObjectKey(ref: RawObjectRef): string {
  return `${rawDatasetPrefix(ref.source, ref.dataset)}ingest_date=${date(ref.ingestDate)}/run=${runId(ref.runId)}.part-${part(ref.part)}.jsonl.gz`;
}

const RAW_KEY = /^([^/]+)\/([^/]+)\/ingest_date=([^/]+)\/run=([^/]+)\.part-(\d{6})\.jsonl\.gz$/;

export function parseRawObjectKey(key: string): RawObjectRef {
  const m = RAW_KEY.exec(key);
  if (!m) throw new LayoutError(`not a raw object key: ${JSON.stringify(key)} (expected <source>/<dataset>/ingest_date=YYYY-MM-DD/run=<id>.part-NNNNNN.jsonl.gz)`);
  const ref = { source: m[1], dataset: m[2], ingestDate: m[3], runId: m[4], part: Number(m[5]) };
  rawObjectKey(ref); // validates every component
  return ref;
}

/** Run manifest, written once when a run's window is fully collected. */
export function manifestKey(ref: RunRef): string {
  return `${MANIFEST_PREFIX}${rawDatasetPrefix(ref.source, ref.dataset)}ingest_date=${date(ref.ingestDate)}/run=${runId(ref.runId)}.json`;
}

export const MANIFEST_PREFIX = '_manifests/';
const MANIFEST_KEY = /^_manifests\/([^/]+)\/([^/]+)\/ingest_date=([^/]+)\/run=([^/]+)\.json$/;

export function parseManifestKey(key: string): RunRef {
  const m = MANIFEST_KEY.exec(key);
  if (!m) throw new LayoutError(`not a manifest key: ${JSON.stringify(key)} (expected _manifests/<source>/<dataset>/ingest_date=YYYY-MM-DD/run=<id>.json)`);
  const ref = { source: m[1], dataset: m[2], ingestDate: m[3], runId: m[4] };
  manifestKey(ref);
  return ref;
}

/** Collector checkpoint of a run (progress state), committed after the data it covers. */
export function checkpointKey(ref: RunRef): string {
  return `${STATE_PREFIX}${rawDatasetPrefix(ref.source, ref.dataset)}ingest_date=${date(ref.ingestDate)}/run=${runId(ref.runId)}.json`;
}

/** Source-level incremental state (the high-water mark of completed windows). */
export function sourceStateKey(source: string, dataset: string): string {
  return `${STATE_PREFIX}${rawDatasetPrefix(source, dataset)}source-state.json`;
}

/** Curated/analytics table root: `<dataset>/<table>/` in the layer's bucket. */
export function tablePrefix(dataset: string, table: string): string {
  return `${name('dataset', dataset)}/${name('table', table)}/`;
}

export function tablePartitionPrefix(dataset: string, table: string, partitionColumn: string, value: string): string {
  return `${tablePrefix(dataset, table)}${name('partition column', partitionColumn)}=${date(value)}/`;
}

/** Quarantined records of one job run (curated bucket). */
export function quarantinePrefix(dataset: string, jobRunId: string): string {
  return `_quarantine/${name('dataset', dataset)}/job_run=${runId(jobRunId)}/`;
}

/** Job report of one job run (curated bucket). */
export function jobReportKey(dataset: string, jobRunId: string): string {
  return `_reports/${name('dataset', dataset)}/job_run=${runId(jobRunId)}/report.json`;
}

/** emr-trigger's idempotency marker for one manifest (raw bucket). */
export function triggerMarkerKey(ref: RunRef): string {
  return `${CONTROL_PREFIX}emr-trigger/${rawDatasetPrefix(ref.source, ref.dataset)}ingest_date=${date(ref.ingestDate)}/run=${runId(ref.runId)}.json`;
}

/** Deterministic run id of a collection window, e.g. `20261126T000000Z-20261127T000000Z`. */
export function windowRunId(start: Date, end: Date): string {
  const compact = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  if (!(end.getTime() > start.getTime())) throw new LayoutError(`window end ${end.toISOString()} must be after start ${start.toISOString()}`);
  return `${compact(start)}-${compact(end)}`;
}

/** `s3://bucket/key`. */
export function s3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

/** The layout's templates, for non-TypeScript consumers (the Spark job). */
export function exportLayout() {
  return {
    rawObject: '{source}/{dataset}/ingest_date={ingest_date}/run={run_id}.part-{part:06d}.jsonl.gz',
    rawObjectPattern: RAW_KEY.source,
    manifest: '_manifests/{source}/{dataset}/ingest_date={ingest_date}/run={run_id}.json',
    checkpoint: '_state/{source}/{dataset}/ingest_date={ingest_date}/run={run_id}.json',
    tablePrefix: '{dataset}/{table}/',
    tablePartition: '{dataset}/{table}/{partition_column}={value}/',
    quarantine: '_quarantine/{dataset}/job_run={job_run_id}/',
    jobReport: '_reports/{dataset}/job_run={job_run_id}/report.json',
    triggerMarker: '_control/emr-trigger/{source}/{dataset}/ingest_date={ingest_date}/run={run_id}.json',
  } as const;
}

/** One raw part as the collector stored it (its key under the raw bucket) and its records, decompressed. */
export interface RawPart {
  readonly key: string;
  readonly records: readonly unknown[];
}
