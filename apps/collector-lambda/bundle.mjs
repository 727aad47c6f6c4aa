/**
 * Builds the Lambda bundle: one minified CommonJS file for node20 with the AWS SDK included (see
 * README), plus its source map and esbuild's metafile for size analysis.
 *   node apps/collector-lambda/bundle.mjs [outdir]   (default dist/apps/collector-lambda/bundle)
 */
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, '../../dist/apps/collector-lambda/bundle'));

/**
 * zod's classic API re-exports every message locale (~260 kB minified) as `z.locales`, which
 * nothing here uses (English is configured separately); esbuild cannot shake a namespace export.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (args.importer.includes('/zod/') ? { path: 'zod-locales', namespace: 'empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {}' }));
  },
};

const result = await build({
  entryPoints: [join(here, 'src/index.ts')],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  metafile: true,
  plugins: [withoutZodLocales],
});
writeFileSync(join(outdir, '..', 'bundle-meta.json'), JSON.stringify(result.metafile));
const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('index.js'))[1].bytes;
console.log(`${join(outdir, 'index.js')}: ${(bytes / 1024).toFixed(0)} KiB`);
