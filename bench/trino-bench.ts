/**
 * Trino beside moto: start time (median of 3, the server already in the cache), resident memory,
 * and, against a lake left up by `tools/lake demo --invoices N --keep`, query times and the bytes
 * read by one business-day, three-column question on the curated table and on the raw JSON table
 * (raw cannot prune by business date: it reads every part). Prints and saves bench/results/trino.json.
 *   npx tsx bench/trino-bench.ts            start time and memory only
 *   (with a kept demo lake in another shell) the query figures too
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTrino, startLocalAws, startTrino, trinoQuery } from '@nfe-lake/local-aws';

const STATE = join(__dirname, '..', '.lake', 'demo', 'lake.json');
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startFigures() {
  const t0 = Date.now();
  await ensureTrino({ log: (l) => console.log(`[trino] ${l}`) });
  const fetchMs = Date.now() - t0;
  const aws = await startLocalAws();
  const starts: number[] = [];
  let rss = { ready: 0, afterQueries: 0 };
  try {
    for (let i = 0; i < 3; i++) {
      const s = Date.now();
      const trino = await startTrino({ aws });
      starts.push(Date.now() - s);
      rss.ready = rssMb(trino.pid);
      const q = Date.now();
      for (let j = 0; j < 5; j++) await trino.query('SELECT count(*) FROM (VALUES 1, 2, 3) AS t(x)');
      console.log(`start ${i + 1}: ${starts[i]} ms, RSS ${rss.ready.toFixed(0)} MB ready; 5 trivial queries ${Date.now() - q} ms`);
      rss = { ...rss, afterQueries: rssMb(trino.pid) };
      await trino.stop();
    }
  } finally {
    await aws.stop();
  }
  return { ensureTrinoMs: fetchMs, startMs: starts, startMedianMs: median(starts), rssMb: rss };
}

async function queryFigures() {
  if (!existsSync(STATE)) {
    console.log(`no kept demo lake (${STATE}): skipping the query figures; run tools/lake demo --invoices 86400 --keep (30 days of data) in another shell first`);
    return undefined;
  }
  const lake = JSON.parse(readFileSync(STATE, 'utf8')) as { trino: string; database: string };
  const q = (sql: string) => trinoQuery(lake.trino, sql, { schema: lake.database });
  const [{ rows: [[day]] }] = [await q("SELECT CAST(max(dt) - interval '1' day AS varchar) FROM invoices")];
  const { rows: [[days]] } = await q('SELECT count(DISTINCT dt) FROM invoices');
  const curated = await q(`SELECT invoice_id, status, total_amount FROM invoices WHERE dt = DATE '${day}'`);
  const raw = await q(`SELECT invoice_id, status, total_amount FROM raw_nfe_invoice WHERE issued_at LIKE '${day}%'`);
  const figures = {
    businessDay: day,
    daysOfData: days,
    curated: { rows: curated.rows.length, bytesRead: curated.stats.physicalInputBytes, elapsedMs: curated.stats.elapsedMs },
    raw: { rows: raw.rows.length, bytesRead: raw.stats.physicalInputBytes, elapsedMs: raw.stats.elapsedMs },
    curatedPercentOfRaw: Number(((100 * curated.stats.physicalInputBytes) / raw.stats.physicalInputBytes).toFixed(2)),
  };
  console.log(`one business day (${day}) of ${days}, three columns: curated ${figures.curated.bytesRead} B in ${figures.curated.elapsedMs} ms, raw ${figures.raw.bytesRead} B in ${figures.raw.elapsedMs} ms: curated = ${figures.curatedPercentOfRaw}% of raw`);
  return figures;
}

async function main() {
  const results = { measuredAt: new Date().toISOString(), start: await startFigures(), query: await queryFigures() };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'trino.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
