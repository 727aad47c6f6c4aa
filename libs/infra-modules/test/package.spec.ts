/**
 * The packages as a platform team gets them: build lake-core and infra-modules, `npm pack` them, install
 * the tarballs (and the peers, from the npm registry or cache) into a project outside the workspace,
 * compile test/consumer with plain `tsc` and run it with plain `node`: it synthesises a lake for its own
 * dataset through `LakeApp`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TerraformJson, resources } from './helpers';

const ROOT = resolve(__dirname, '../../..');
const LIBS = ['lake-core', 'infra-modules'];
const workspace = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** The consumer pins what the workspace pins: the peers, and the compiler it builds with. */
const pinned = (name: string): string => workspace.dependencies[name] ?? workspace.devDependencies[name];

/** The environment of a command a user types: no npm/Nx settings of the task this test runs in. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|NX_)/i.test(name) || name === 'npm_config_cache'));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...userEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

describe('the npm packages, consumed outside the workspace', () => {
  let consumer: string;
  const tarballs: Record<string, { file: string; size: number }> = {};

  beforeAll(() => {
    run(join(ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '-p', ...LIBS, '--outputStyle=static'], ROOT, { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' });
    consumer = mkdtempSync(join(tmpdir(), 'lake-consumer-'));
    for (const lib of LIBS) {
      const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', consumer], join(ROOT, 'libs', lib)));
      tarballs[lib] = { file: join(consumer, packed.filename), size: packed.size };
    }
    cpSync(join(__dirname, 'consumer'), consumer, { recursive: true });
    const manifest = {
      name: 'acme-lake',
      private: true,
      dependencies: {
        '@nfe-lake/lake-core': `file:${tarballs['lake-core'].file}`,
        '@nfe-lake/infra-modules': `file:${tarballs['infra-modules'].file}`,
        ...Object.fromEntries(['cdktf', 'constructs', '@cdktf/provider-aws'].map((peer) => [peer, pinned(peer)])),
      },
      devDependencies: { typescript: pinned('typescript'), '@types/node': pinned('@types/node') },
    };
    writeFileSync(join(consumer, 'package.json'), JSON.stringify(manifest, null, 2));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], consumer);
    run(join(consumer, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], consumer);
  }, 1_200_000);

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('ships built JavaScript, declarations and the provider lock, no sources or tests', () => {
    const listed = (lib: string) => run('tar', ['-tzf', tarballs[lib].file], consumer).split('\n').filter(Boolean);
    expect(listed('lake-core')).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/cli/export.js', 'package/schema/dataset-contract.schema.json']));
    expect(listed('infra-modules')).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/.terraform.lock.hcl']));
    for (const lib of LIBS) expect(listed(lib).filter((f) => /\.spec\.|^package\/(src|test)\//.test(f))).toEqual([]);
    console.log(LIBS.map((lib) => `@nfe-lake/${lib}: ${tarballs[lib].size} bytes packed`).join('\n'));
  });

  it('synthesises the lake of a dataset the consumer declared, with the lake tags on every taggable resource', () => {
    const outdir = join(consumer, 'cdktf.out');
    run('node', ['dist/main.js', outdir], consumer);
    const stackDir = join(outdir, 'stacks', 'acme-dev-lake');
    const tf: TerraformJson = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    const tables = resources(tf, 'aws_glue_catalog_table').map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['raw_sensor_readings', 'sensor_readings']));
    const buckets = resources(tf, 'aws_s3_bucket');
    // `<prefix>-<layer>-<account id>`
    expect(buckets.map((b) => String(b.bucket).replace(/-\$\{.*\}$/, ''))).toEqual(expect.arrayContaining(['acme-dev-raw', 'acme-dev-curated']));
    for (const resource of [...buckets, ...resources(tf, 'aws_kms_key')]) {
      expect(resource.tags).toEqual({ project: 'acme', environment: 'dev', 'managed-by': 'cdktf', team: 'sensors' });
    }
    // the provider lock travels in the package and lands beside the stack
    expect(readFileSync(join(stackDir, '.terraform.lock.hcl'), 'utf8')).toContain('registry.terraform.io/hashicorp/aws');
  });

  /** The consumer's stderr for a run with one fault; the run must fail. */
  function failure(fault: string): string {
    const result = spawnSync('node', ['dist/main.js', join(consumer, `${fault}.out`), fault], { cwd: consumer, encoding: 'utf8', env: userEnv });
    expect({ fault, status: result.status }).toEqual({ fault, status: 1 });
    return result.stderr;
  }

  it('fails synth on an unencrypted bucket, naming it and the fix', () => {
    expect(failure('unencrypted-bucket')).toContain(
      'invalid encryption of acme-dev-lake/Scratch: got a bucket without default encryption; add an aws_s3_bucket_server_side_encryption_configuration',
    );
  });

  it('refuses a bad config and a bad contract with the path, the value and the fix', () => {
    expect(failure('bad-config')).toContain('invalid config in acme lake config:\n  - project: got "ACME"; lowercase letters, digits and "-", 2-21 characters');
    expect(failure('bad-contract')).toMatch(/invalid businessDateField in dataset contract "sensor_readings": got "read_day"; \S/);
  });
});
