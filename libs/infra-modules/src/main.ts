/**
 * cdktf app: synthesises every stack of one environment into cdktf.out.
 *   LAKE_LOCAL_ENDPOINT=http://127.0.0.1:4566 tsx src/main.ts   (default config: config/lake.local.json)
 *   LAKE_CONFIG=config/lake.dev.json tsx src/main.ts
 */
import { resolve } from 'node:path';
import { loadEnvironmentConfig } from './stacks/environment-config';
import { buildLakeStacks, LakeApp, workspaceArtefacts } from './stacks/lake-app';

const libRoot = resolve(__dirname, '..');
const config = loadEnvironmentConfig(resolve(libRoot, process.env.LAKE_CONFIG ?? 'config/lake.local.json'));
const app = new LakeApp({ project: config.project, environment: config.environment, tags: config.tags, outdir: resolve(libRoot, process.env.CDKTF_OUTDIR ?? 'cdktf.out') });
buildLakeStacks(app, config, workspaceArtefacts(resolve(libRoot, '../..')));
app.synth();
