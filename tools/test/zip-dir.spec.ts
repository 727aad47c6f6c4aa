import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipDirectory } from '../zip-dir';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zip-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Python's zipfile as an independent reader: each entry's name, unix mode and content. */
function readZip(zip: string): { name: string; mode: string; content: string }[] {
  const script = 'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nz.testzip()\n'
    + 'print(json.dumps([{"name": i.filename, "mode": oct(i.external_attr >> 16), "content": z.read(i).decode()} for i in z.infolist()]))';
  return JSON.parse(execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }));
}

describe('tools/zip-dir.ts', () => {
  it('zips every file under the directory, sorted, readable by another implementation', () => {
    mkdirSync(join(dir, 'bundle/lib'), { recursive: true });
    writeFileSync(join(dir, 'bundle/index.js'), 'exports.handler = async () => 1;\n'.repeat(100));
    writeFileSync(join(dir, 'bundle/lib/a.js'), 'module.exports = "a";\n');
    expect(zipDirectory(join(dir, 'bundle'), join(dir, 'out/app.zip'))).toEqual(['index.js', 'lib/a.js']);
    expect(readZip(join(dir, 'out/app.zip'))).toEqual([
      { name: 'index.js', mode: '0o100644', content: 'exports.handler = async () => 1;\n'.repeat(100) },
      { name: 'lib/a.js', mode: '0o100644', content: 'module.exports = "a";\n' },
    ]);
  });

  it('gives the same bytes for the same files whatever their timestamps', () => {
    mkdirSync(join(dir, 'bundle'));
    writeFileSync(join(dir, 'bundle/index.js'), 'exports.handler = 1;\n');
    zipDirectory(join(dir, 'bundle'), join(dir, 'first.zip'));
    utimesSync(join(dir, 'bundle/index.js'), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
    zipDirectory(join(dir, 'bundle'), join(dir, 'second.zip'));
    expect(readFileSync(join(dir, 'second.zip')).equals(readFileSync(join(dir, 'first.zip')))).toBe(true);
  });

  it('names a missing or empty directory and says to build it', () => {
    expect(() => zipDirectory(join(dir, 'nope'), join(dir, 'x.zip'))).toThrow(`invalid directory to zip: got ${join(dir, 'nope')}; build it first`);
    mkdirSync(join(dir, 'empty'));
    expect(() => zipDirectory(join(dir, 'empty'), join(dir, 'x.zip'))).toThrow(`invalid directory to zip: got ${join(dir, 'empty')} (no files); build it first`);
  });

  it('prints its usage on wrong arguments', () => {
    const run = spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../zip-dir.ts'), dir], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: tsx tools/zip-dir.ts <directory> <out.zip>');
  });
});
