import { DatasetContract, RawPart, recordValidator } from '@nfe-lake/lake-core';

export type { RawPart } from '@nfe-lake/lake-core';

/**
 * The rows each named query of a dataset must answer (by query name), computed from the dataset's
 * raw parts in plain TypeScript, never by a SQL engine: the demo's independent check on Trino.
 */
export type ExpectedAnswers = (parts: readonly RawPart[], now: Date) => Record<string, unknown[][]>;

const DAY_MS = 86_400_000;

/** A sum of decimals in fixed point, as Trino sums a `decimal(p, scale)`: `scale` digits after the point. */
export const fixedSum = (values: readonly number[], scale: number): string =>
  (values.reduce((s, v) => s + Math.round(v * 10 ** scale), 0) / 10 ** scale).toFixed(scale);

/** `daysAgo(n)`: the UTC date `n` days before `now`'s, as `yyyy-MM-dd` (what `current_date - interval` gives in UTC). */
export const daysBefore = (now: Date) => {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return (n: number): string => new Date(today - n * DAY_MS).toISOString().slice(0, 10);
};

/** An ISO-8601 timestamp as an instant to nanoseconds: [epoch milliseconds, nanoseconds within them]. */
export function instant(timestamp: string): [number, number] {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new Error(`invalid timestamp: got ${JSON.stringify(timestamp)}; expected ISO-8601 with an offset`);
  const fraction = /T[\d:]+\.(\d+)/.exec(timestamp)?.[1] ?? '';
  return [ms, Number(fraction.slice(3, 9).padEnd(6, '0'))];
}

const newer = (a: string, b: string) => {
  const [am, an] = instant(a);
  const [bm, bn] = instant(b);
  return am > bm || (am === bm && an > bn);
};

/**
 * The records the job keeps: contract-valid ones, the newest version of each primary key by the contract's event
 * time as an instant (offsets and nanoseconds count; a tie goes to the version served later, as the job's later
 * ingest wins).
 */
export function latestVersions<T>(parts: readonly RawPart[], contract: DatasetContract): T[] {
  const valid = recordValidator(contract);
  const latest = new Map<string, Record<string, unknown>>();
  for (const record of parts.flatMap((p) => p.records)) {
    if (!valid(record).ok) continue;
    const r = record as Record<string, unknown>;
    const key = JSON.stringify(contract.primaryKey.map((k) => r[k]));
    const seen = latest.get(key);
    if (!seen || !newer(String(seen[contract.eventTimeField]), String(r[contract.eventTimeField]))) latest.set(key, r);
  }
  return [...latest.values()] as T[];
}
