/**
 * The workspace runs from sources: scripts started with tsx from the repository root (the demo,
 * `tools/lake query`, the collector's local runner, the examples' export) resolve our packages to
 * their TypeScript sources through the root tsconfig's paths, not to the packages' built `dist/`,
 * which a fresh clone does not have.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

it('resolves every workspace package to its sources from the repository root', () => {
  const packages = ['@nfe-lake/lake-core', '@nfe-lake/infra-modules', '@nfe-lake/local-aws', '@nfe-lake/demo-api', '@nfe-lake/emr-trigger', '@nfe-lake/examples'];
  const script = `console.log(JSON.stringify(${JSON.stringify(packages)}.map((p) => require.resolve(p))))`;
  const resolved = JSON.parse(execFileSync(join(ROOT, 'node_modules/.bin/tsx'), ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }));
  expect(resolved.map((file: string) => file.replace(`${ROOT}/`, ''))).toEqual([
    'libs/lake-core/src/index.ts',
    'libs/infra-modules/src/index.ts',
    'libs/local-aws/src/index.ts',
    'apps/demo-api/src/index.ts',
    'apps/emr-trigger/src/index.ts',
    'examples/index.ts',
  ]);
});
