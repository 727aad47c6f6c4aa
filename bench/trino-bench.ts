/**
 * Trino beside moto: start time (median of 3, the server already in the cache) and resident memory.
 * Prints and saves bench/results/trino.json. Bytes read by a business-day question: bytes-read-bench.ts.
 *   npx tsx bench/trino-bench.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTrino, startLocalAws, startTrino } from '@nfe-lake/local-aws';

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

async function main() {
  const results = { measuredAt: new Date().toISOString(), start: await startFigures() };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'trino.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
