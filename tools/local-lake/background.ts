/**
 * Steps run in the background. A failure is never lost: it surfaces, naming its step, where the step is awaited,
 * and a step is always awaited before the command ends, so none keeps running behind a failed one.
 */

/** A step started now and awaited later (a fetch overlapping the apply). */
export interface BackgroundStep<T> {
  readonly name: string;
  /** The step's result; rejects naming the step when it failed. */
  result(): Promise<T>;
  /** Resolves once the step has ended, however it ended (for clean-up after another failure). */
  settled(): Promise<void>;
}

const named = (name: string, e: unknown) => new Error(`${name} failed: ${e instanceof Error ? e.message : String(e)}`);

/** Starts `run` in the background; its failure is held (never an unhandled rejection) until `result()` is awaited. */
export function background<T>(name: string, run: () => Promise<T>): BackgroundStep<T> {
  const running = Promise.resolve().then(run);
  running.catch(() => undefined);
  return {
    name,
    result: () => running.catch((e) => Promise.reject(named(name, e))),
    settled: () => running.then(
      () => undefined,
      () => undefined,
    ),
  };
}
