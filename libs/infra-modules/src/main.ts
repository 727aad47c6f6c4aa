/**
 * cdktf app: synthesises every stack of one environment into cdktf.out.
 *   LAKE_CONFIG=config/lake.dev.json tsx src/main.ts   (default: config/lake.local.json)
 */
import { loadLakeConfig } from '@nfe-lake/lake-core';
import { App } from 'cdktf';
import { resolve } from 'node:path';
import { buildLakeStacks, workspaceArtefacts } from './stacks/lake-app';

const libRoot = resolve(__dirname, '..');
const config = loadLakeConfig(resolve(libRoot, process.env.LAKE_CONFIG ?? 'config/lake.local.json'));
const app = new App({ outdir: resolve(libRoot, process.env.CDKTF_OUTDIR ?? 'cdktf.out') });
buildLakeStacks(app, config, workspaceArtefacts(resolve(libRoot, '../..')));
app.synth();
