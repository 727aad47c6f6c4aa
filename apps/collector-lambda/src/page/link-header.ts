/**
 * The target of the link with relation `rel` in an RFC 8288 `Link` header, resolved against the
 * request URL; undefined when there is none.
 */
export function linkTarget(header: string | null, rel: string, base: URL): URL | undefined {
  if (!header) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (let m = link.exec(header); m; m = link.exec(header)) {
    const relParam = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(m[2]);
    const rels = (relParam?.[1] ?? relParam?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes(rel.toLowerCase())) return new URL(m[1], base);
  }
  return undefined;
}
