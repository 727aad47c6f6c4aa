/** Value at a lake-core dot path (`data.items`, `$` for the whole body); undefined when absent. */
export function selectPath(body: unknown, path: string): unknown {
  if (path === '$') return body;
  let cur = body;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
