import { z } from 'zod';

/** An EventBridge schedule expression the lake accepts: `rate(N unit)` or `cron(...)`. */
export const scheduleExpressionSchema = z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, 'rate(N unit) or cron(...)');

/** Seconds between runs of a `rate(N unit)` schedule; undefined for `cron(...)` (no fixed interval). */
export function rateSeconds(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = { minute: 60, hour: 3_600, day: 86_400 }[m[2].replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return Number(m[1]) * unit;
}

/**
 * Why a persistent cluster would terminate between two job runs, if it would. It auto-terminates
 * after `idleTimeoutSeconds` without steps, and steps come only with new data: the collectors'
 * runs (the catch-up schedule adds none when nothing is pending). So the most frequent source
 * schedule must run more often than the idle timeout; a cron schedule has no fixed interval to
 * compare, so at least one source needs a rate schedule.
 */
export function persistentIdleProblem(idleTimeoutSeconds: number, sourceSchedules: readonly string[]): string | undefined {
  const rates = sourceSchedules.map(rateSeconds).filter((s): s is number => s !== undefined);
  if (rates.length === 0) {
    return `got idleTimeoutSeconds ${idleTimeoutSeconds} with only cron source schedules (${sourceSchedules.join(', ')}), whose gaps cannot be checked: the persistent cluster may terminate between runs and the trigger could not add steps; give a source a rate(...) schedule shorter than idleTimeoutSeconds, or use mode "transient"`;
  }
  const shortest = Math.min(...rates);
  if (shortest < idleTimeoutSeconds) return undefined;
  return `got idleTimeoutSeconds ${idleTimeoutSeconds} but the most frequent source runs every ${shortest} s: the persistent cluster would terminate between runs and the trigger could not add steps; raise idleTimeoutSeconds above ${shortest} (at most 604800), collect more often, or use mode "transient"`;
}
