/**
 * Writes raw gzip NDJSON parts and run manifests in the lake layout from lake-core's deterministic
 * InvoiceGenerator, as the collector would: for pytest fixtures and the benchmark.
 *   npx tsx jobs/spark/tools/write-raw-fixture.ts --out <raw root dir> --invoices 1000 [--runs 2]
 *     [--parts-per-run 2] [--first 0] [--seed 42] [--spacing-seconds 30] [--source demo-api]
 * Prints the manifest keys (one per line) on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { InvoiceGenerator, RunManifest, manifestKey, nfeInvoice, rawObjectKey, runManifestSchema } from '@nfe-lake/lake-core';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    invoices: { type: 'string', default: '1000' },
    first: { type: 'string', default: '0' },
    runs: { type: 'string', default: '1' },
    'parts-per-run': { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    'spacing-seconds': { type: 'string', default: '30' },
    source: { type: 'string', default: 'demo-api' },
  },
});
if (!values.out) throw new Error('--out <dir> is required');
const count = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${values[name]}`);
  return n;
};
const [total, first, runs, partsPerRun, seed] = [count('invoices'), count('first'), count('runs'), count('parts-per-run'), count('seed')];
const generator = new InvoiceGenerator({ seed, spacingSeconds: count('spacing-seconds') });
const perRun = Math.ceil(total / runs);

for (let r = 0; r < runs; r++) {
  const from = first + r * perRun;
  const to = Math.min(first + total, from + perRun);
  const ingest = new Date(Date.UTC(2026, 0, 1 + r));
  const ref = { source: values.source, dataset: nfeInvoice.name, ingestDate: ingest.toISOString().slice(0, 10), runId: `run-${String(from).padStart(9, '0')}` };
  const perPart = Math.ceil((to - from) / partsPerRun);
  const parts: RunManifest['parts'] = [];
  for (let p = 0; p < partsPerRun && from + p * perPart < to; p++) {
    const lines: string[] = [];
    for (const invoice of generator.range(from + p * perPart, Math.min(to, from + (p + 1) * perPart))) lines.push(JSON.stringify(invoice));
    const key = rawObjectKey({ ...ref, part: p });
    const body = gzipSync(`${lines.join('\n')}\n`);
    mkdirSync(dirname(join(values.out, key)), { recursive: true });
    writeFileSync(join(values.out, key), body);
    parts.push({ key, records: lines.length, bytes: body.length });
  }
  const manifest = runManifestSchema.parse({
    version: 1,
    source: ref.source,
    dataset: ref.dataset,
    runId: ref.runId,
    ingestDate: ref.ingestDate,
    startedAt: ingest.toISOString(),
    completedAt: ingest.toISOString(),
    records: to - from,
    invalidRecords: 0,
    pages: parts.length,
    bytes: parts.reduce((s, p) => s + p.bytes, 0),
    parts,
    firstCursor: null,
    lastCursor: null,
    apiReportedTotal: null,
    continuations: 0,
  });
  const key = manifestKey(ref);
  mkdirSync(dirname(join(values.out, key)), { recursive: true });
  writeFileSync(join(values.out, key), JSON.stringify(manifest, null, 2));
  console.log(key);
}
