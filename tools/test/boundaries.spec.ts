import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Lints a virtual file placed in a project, returning the module-boundary messages. */
async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries (Nx tags)', () => {
  it('lets an app import lake-core', async () => {
    expect(await boundaryErrors('apps/emr-trigger/src/boundary-probe.ts', "import { defineDataset } from '@nfe-lake/lake-core';\nexport const x = defineDataset;\n")).toEqual([]);
  });

  it('forbids an app importing infra-modules', async () => {
    const errors = await boundaryErrors('apps/emr-trigger/src/boundary-probe.ts', "import * as infra from '@nfe-lake/infra-modules';\nexport const x = infra;\n");
    expect(errors.join('\n')).toMatch(/type:app.*type:lib|can only depend on libs tagged with "type:lib"/);
  });

  it('forbids lake-core importing an app', async () => {
    const errors = await boundaryErrors('libs/lake-core/src/boundary-probe.ts', "import * as app from '@nfe-lake/emr-trigger';\nexport const x = app;\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('lets the examples import lake-core, and nothing else of ours', async () => {
    expect(await boundaryErrors('examples/boundary-probe.ts', "import { defineDataset } from '@nfe-lake/lake-core';\nexport const x = defineDataset;\n")).toEqual([]);
    const errors = await boundaryErrors('examples/boundary-probe.ts', "import * as infra from '@nfe-lake/infra-modules';\nexport const x = infra;\n");
    expect(errors.join('\n')).toMatch(/type:example.*type:lib|can only depend on libs tagged with "type:lib"/);
  });

  it.each([
    ['lake-core', 'libs/lake-core/src/boundary-probe.ts'],
    ['infra-modules', 'libs/infra-modules/src/boundary-probe.ts'],
    ['an app', 'apps/collector-lambda/src/boundary-probe.ts'],
  ])('forbids %s (generic code) importing the examples', async (_, file) => {
    const errors = await boundaryErrors(file, "import { nfeInvoice } from '@nfe-lake/examples';\nexport const x = nfeInvoice;\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('lets the demo API serve the examples', async () => {
    expect(await boundaryErrors('apps/demo-api/src/boundary-probe.ts', "import { InvoiceGenerator } from '@nfe-lake/examples';\nexport const x = InvoiceGenerator;\n")).toEqual([]);
  });
});
