/**
 * @cloud-copilot/iam-simulate is AGPL-3.0-or-later: the local test harness may use it (a root
 * devDependency, imported by libs/local-aws and tools only), nothing we ship may (the npm packages
 * lake-core and infra-modules, the Lambda bundles of the apps, the examples). See libs/local-aws/README.md.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const AGPL = '@cloud-copilot/';
/** What ships: the published packages, the deployed Lambda apps and the examples users copy. */
const SHIPPED = ['libs/lake-core', 'libs/infra-modules', 'apps/collector-lambda', 'apps/emr-trigger', 'apps/demo-api', 'examples'];
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'devDependencies'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', 'dist', '.lake'].includes(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|js|cjs|mjs|json)$/.test(name) ? [path] : [];
  });
}

/** Where a shipped project depends on or imports an AGPL package, as `<file>: <what>`. */
function agplUses(root: string, projects: string[]): string[] {
  return projects.flatMap((project) => {
    const dir = join(root, project);
    const manifest = join(dir, 'package.json');
    const declared = statSync(manifest, { throwIfNoEntry: false })
      ? DEPENDENCY_FIELDS.flatMap((field) => Object.keys(JSON.parse(readFileSync(manifest, 'utf8'))[field] ?? {}).filter((d) => d.startsWith(AGPL)).map((d) => `${project}/package.json: ${field} ${d}`))
      : [];
    const imported = sources(dir)
      .filter((file) => !file.endsWith('package.json') && new RegExp(`(from|import|require)\\s*\\(?\\s*['"]${AGPL}`).test(readFileSync(file, 'utf8')))
      .map((file) => `${relative(root, file)}: imports ${AGPL}*`);
    return [...declared, ...imported];
  });
}

describe('the AGPL IAM evaluator stays in the test harness', () => {
  it('is a root devDependency only', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(root.devDependencies['@cloud-copilot/iam-simulate']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(root.dependencies ?? {}).filter((d) => d.startsWith(AGPL))).toEqual([]);
  });

  it('no published package, Lambda app or example depends on it or imports it', () => {
    expect(agplUses(ROOT, SHIPPED)).toEqual([]);
  });

  it('the check finds a shipped package that declares it and a source that imports it', () => {
    const root = mkdtempSync(join(tmpdir(), 'agpl-boundary-'));
    mkdirSync(join(root, 'libs/lake-core/src'), { recursive: true });
    writeFileSync(join(root, 'libs/lake-core/package.json'), JSON.stringify({ name: '@nfe-lake/lake-core', dependencies: { '@cloud-copilot/iam-simulate': '0.1.173' } }));
    writeFileSync(join(root, 'libs/lake-core/src/check.ts'), "import { runSimulation } from '@cloud-copilot/iam-simulate';\nexport const x = runSimulation;\n");
    expect(agplUses(root, ['libs/lake-core'])).toEqual(['libs/lake-core/package.json: dependencies @cloud-copilot/iam-simulate', 'libs/lake-core/src/check.ts: imports @cloud-copilot/*']);
  });
});
