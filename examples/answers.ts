/** One raw part as the collector stored it: its key and its records, as the API served them. */
export interface RawPart {
  readonly key: string;
  readonly records: readonly unknown[];
}

/**
 * The rows each named query of a dataset must answer (by query name), computed from the dataset's
 * raw parts in plain TypeScript, never by a SQL engine: the demo's independent check on Trino.
 */
export type ExpectedAnswers = (parts: readonly RawPart[], now: Date) => Record<string, unknown[][]>;
