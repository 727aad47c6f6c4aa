/**
 * infra-modules figures: synth time per stack (each stack synthesised on its own, median of 3) and
 * resource counts, for the local and dev configs. Prints and saves bench/results/infra.json.
 *   npx tsx bench/infra-bench.ts
 */
import { App, Testing } from 'cdktf';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLakeStacks, LakeStacks } from '../libs/infra-modules/src/stacks/lake-app';
import { artefactFixtures, lakeConfig } from '../libs/infra-modules/test/fixtures';

type StackName = keyof LakeStacks;
const RUNS = 3;
const artefacts = artefactFixtures();

function measure(env: 'local' | 'dev', name: StackName) {
  const times: number[] = [];
  let resources: Record<string, number> = {};
  for (let i = 0; i < RUNS; i++) {
    const app = new App({ outdir: join(artefacts.jobDirectory, '..', 'out'), skipValidation: false });
    const start = process.hrtime.bigint();
    const stack = buildLakeStacks(app, lakeConfig(env), artefacts)[name];
    if (!stack) return undefined;
    const json = JSON.parse(Testing.synth(stack, true)) as { resource?: Record<string, Record<string, unknown>> };
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    resources = Object.fromEntries(Object.entries(json.resource ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]));
  }
  const total = Object.values(resources).reduce((a, b) => a + b, 0);
  return { synthMs: Math.round(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]), resourceCount: total, resources };
}

const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), runs: RUNS, note: 'synthMs includes building the whole app (construct tree of all stacks) once per stack' };
for (const env of ['local', 'dev'] as const) {
  const perStack: Record<string, unknown> = {};
  for (const name of ['lake', 'ingestion', 'processing', 'query', 'warehouse'] as StackName[]) {
    const m = measure(env, name);
    if (m) {
      perStack[name] = m;
      console.log(`${env.padEnd(5)} ${name.padEnd(10)} synth ${String(m.synthMs).padStart(5)} ms  resources ${m.resourceCount}`);
    }
  }
  // the whole app as `nx run infra-modules:synth` does it: all stacks, cross-stack wiring, files on disk
  const appTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'infra-bench-')) });
    const start = process.hrtime.bigint();
    buildLakeStacks(app, lakeConfig(env), artefacts);
    app.synth();
    appTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const appSynthMs = Math.round(appTimes.sort((a, b) => a - b)[Math.floor(RUNS / 2)]);
  console.log(`${env.padEnd(5)} whole app  synth ${String(appSynthMs).padStart(5)} ms`);
  results[env] = { appSynthMs, stacks: perStack };
}
mkdirSync(join(__dirname, 'results'), { recursive: true });
writeFileSync(join(__dirname, 'results', 'infra.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('saved bench/results/infra.json');
