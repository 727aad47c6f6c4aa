import { LakeConfig, LakeConfigInput, nfeInvoice, parseLakeConfig } from '@nfe-lake/lake-core';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LakeArtefacts } from '../src/stacks/lake-app';

/**
 * Stand-ins for the Nx build outputs (collector and emr-trigger bundles, the Spark job, the exported
 * contract), so synth does not depend on other projects' builds. Real files: Terraform zips,
 * hashes and uploads them.
 */
export function artefactFixtures(): LakeArtefacts {
  const root = mkdtempSync(join(tmpdir(), 'infra-artefacts-'));
  const dir = (...parts: string[]) => {
    const d = join(root, ...parts);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const collector = dir('collector');
  writeFileSync(join(collector, 'index.js'), 'exports.handler = async () => ({ collected: 0 });\n');
  const trigger = dir('emr-trigger');
  writeFileSync(join(trigger, 'index.js'), 'exports.handler = async () => ({ started: false });\n');
  const job = dir('spark');
  writeFileSync(join(job, 'main.py'), 'print("nfe lake job")\n');
  writeFileSync(join(job, 'nfe_lake_job.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
  const contracts = dir('contracts');
  writeFileSync(join(contracts, `${nfeInvoice.name}.json`), JSON.stringify(nfeInvoice));
  return { collectorCodeDirectory: collector, triggerCodeDirectory: trigger, jobDirectory: job, contractsDirectory: contracts };
}

const configDir = resolve(__dirname, '../config');

export function configFile(name: 'local' | 'dev'): LakeConfigInput {
  return JSON.parse(readFileSync(join(configDir, `lake.${name}.json`), 'utf8'));
}

/** The moto endpoint unit tests synthesise the local environment for (nothing listens there). */
export const TEST_LOCAL_ENDPOINT = 'http://127.0.0.1:5000';

/** A config file with overrides (deep enough for the sections the tests touch); local gets TEST_LOCAL_ENDPOINT. */
export function lakeConfig(name: 'local' | 'dev', override: Partial<LakeConfigInput> = {}): LakeConfig {
  const endpoint = name === 'local' ? { localEndpoint: TEST_LOCAL_ENDPOINT } : {};
  return parseLakeConfig({ ...configFile(name), ...endpoint, ...override }, `lake.${name}.json (test)`);
}
