import { Token } from 'cdktf';

/** A synth-time configuration error: says what was given and how to fix it. */
export class InfraConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraConfigError';
  }
}

/** Throws unless `value` (when not a token) satisfies `ok`. */
export function check<T>(what: string, value: T, ok: (v: T) => boolean, fix: string): T {
  if (!Token.isUnresolved(value) && !ok(value)) {
    throw new InfraConfigError(`invalid ${what}: got ${JSON.stringify(value)}; ${fix}`);
  }
  return value;
}

export const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
