/** A trigger failure with what failed and where (spec URI, manifest key, cluster id). */
export class TriggerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TriggerError';
  }
}
