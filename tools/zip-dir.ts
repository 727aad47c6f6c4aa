/**
 * Zips a directory into a deployment package (the Lambda apps' `build`): entries sorted, with a fixed
 * timestamp and mode, so the same bundle always gives the same bytes (stable hashes for deploy tools).
 *   tsx tools/zip-dir.ts <directory> <out.zip>
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** 2020-01-01 00:00 in MS-DOS date/time fields. */
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
const REGULAR_FILE_0644 = 0o100644;
const UNIX_VERSION_20 = (3 << 8) | 20;

/** Writes `out` holding every file under `directory` (paths relative to it); returns the entry names. */
export function zipDirectory(directory: string, out: string): string[] {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new Error(`invalid directory to zip: got ${directory}; build it first (its Nx bundle target) or pass an existing directory`);
  }
  const names = readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(directory, name)).isFile())
    .map((name) => name.split(sep).join('/'))
    .sort();
  if (names.length === 0) throw new Error(`invalid directory to zip: got ${directory} (no files); build it first`);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const data = readFileSync(join(directory, name));
    const packed = deflateRawSync(data, { level: 9 });
    const fileName = Buffer.from(name, 'utf8');
    // fields shared by the local header (from "version needed") and the central directory entry
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0);
    common.writeUInt16LE(0x0800, 2); // UTF-8 names
    common.writeUInt16LE(8, 4); // deflate
    common.writeUInt16LE(DOS_TIME, 6);
    common.writeUInt16LE(DOS_DATE, 8);
    common.writeUInt32LE(crc32(data), 10);
    common.writeUInt32LE(packed.length, 14);
    common.writeUInt32LE(data.length, 18);
    common.writeUInt16LE(fileName.length, 22);
    const local = Buffer.concat([u32(0x04034b50), common, fileName, packed]);
    // extra and comment lengths, disk, internal attributes: 0; then the unix mode and where the entry starts
    const tail = Buffer.alloc(16);
    tail.writeUInt32LE((REGULAR_FILE_0644 << 16) >>> 0, 8);
    tail.writeUInt32LE(offset, 12);
    centrals.push(Buffer.concat([u32(0x02014b50), u16(UNIX_VERSION_20), common.subarray(0, 24), tail, fileName]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, Buffer.concat([...locals, central, end]));
  return names;
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

if (require.main === module) {
  const [directory, out, ...rest] = process.argv.slice(2);
  if (!directory || !out || rest.length > 0) {
    console.error(`invalid arguments: got ${JSON.stringify(process.argv.slice(2))}; usage: tsx tools/zip-dir.ts <directory> <out.zip>`);
    process.exit(2);
  }
  try {
    const names = zipDirectory(directory, out);
    console.log(`${out}: ${names.length} file(s), ${statSync(out).size} bytes`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
