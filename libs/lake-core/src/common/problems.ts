import { z } from 'zod';

/** One problem in user input: where (a path), what was found and what would be accepted. */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  readonly expected: string;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `a.b[0].c`; `(root)` for the empty path. */
export function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The issues of a failed zod parse as problems, with the offending values read from the input. */
export function zodProblems(input: unknown, error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue) => leafIssues(issue, [])).map(({ path, message }) => ({ path: pathText(path), value: valueAt(input, path), expected: message }));
}

/**
 * A union that failed inside exactly one of its options (e.g. a struct type with a bad field)
 * reports that option's issues, at their full path, rather than its own generic message.
 */
function leafIssues(issue: z.core.$ZodIssue, base: readonly PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const deep = issue.errors.filter((branch) => branch.some((i) => i.path.length > 0));
    if (deep.length === 1) return deep[0].flatMap((i) => leafIssues(i, path));
  }
  return [{ path, message: issue.message }];
}
