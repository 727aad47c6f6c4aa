import { DatasetContract, LakeConfig, LakeConfigInput, loadContractFile, loadLakeConfig, parseLakeConfig } from '@nfe-lake/lake-core';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LakeArtefacts } from '../src/stacks/lake-app';

/** The repo's worked examples, loaded from their files as a lake config loads them (infra-modules never imports them). */
const EXAMPLES_DIR = resolve(__dirname, '../../../examples');
export const nfeInvoice: DatasetContract = loadContractFile(join(EXAMPLES_DIR, 'nfe-invoice/contract.ts'));
export const shopOrders: DatasetContract = loadContractFile(join(EXAMPLES_DIR, 'shop-orders/shop_orders.contract.yaml'));

/** The examples' lake: both datasets, one source each. */
export function examplesConfig(): LakeConfig {
  return loadLakeConfig(join(EXAMPLES_DIR, 'lake.json'));
}

/**
 * Stand-ins for the Nx build outputs (collector and emr-trigger bundles, the Spark job), so synth does not depend on other projects' builds. Real files: Terraform zips,
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
  writeFileSync(join(job, 'main.py'), 'print("lake job")\n');
  writeFileSync(join(job, 'lake_job.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
  return { collectorCodeDirectory: collector, triggerCodeDirectory: trigger, jobDirectory: job };
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
  return parseLakeConfig({ ...configFile(name), ...endpoint, ...override }, `lake.${name}.json (test)`, { baseDir: configDir });
}
