import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { PartWriter } from '../src/batch/part-writer';
import { PreconditionFailed } from '../src/errors';
import { startWorld, World } from './harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await world.s3.send(new CreateBucketCommand({ Bucket: 'parts' }));
});
afterAll(() => world.close());

const MIN_CHUNK = 5 * 1024 * 1024;
// Incompressible lines, so the gzip output crosses the multipart chunk size.
const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ i, pad: randomBytes(768).toString('base64') }));

async function read(key: string): Promise<string[]> {
  const res = await world.s3.send(new GetObjectCommand({ Bucket: 'parts', Key: key }));
  return gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString().split('\n').filter(Boolean);
}

describe('PartWriter', () => {
  it('streams a big part as a multipart upload and never overwrites an existing key', async () => {
    const data = lines(7000); // ~7.2 MB of base64 => > 5 MiB gzip
    const writer = new PartWriter(world.s3, 'parts', 'big/part-000000.jsonl.gz', MIN_CHUNK);
    for (let i = 0; i < data.length; i += 500) await writer.write(data.slice(i, i + 500));
    const written = await writer.publish();
    expect(written.records).toBe(7000);
    expect(written.bytes).toBeGreaterThan(MIN_CHUNK);
    expect(await read('big/part-000000.jsonl.gz')).toEqual(data);

    const again = new PartWriter(world.s3, 'parts', 'big/part-000000.jsonl.gz', MIN_CHUNK);
    await again.write(lines(6000));
    await expect(again.publish()).rejects.toThrow(PreconditionFailed);
    // Its data survives the refusal: once the key is free it publishes (the orphan-replacement path).
    await world.s3.send(new DeleteObjectCommand({ Bucket: 'parts', Key: 'big/part-000000.jsonl.gz' }));
    expect((await again.publish()).records).toBe(6000);
    expect(await read('big/part-000000.jsonl.gz')).toHaveLength(6000);
  });

  it('writes a small part with one PutObject and aborts an unpublished multipart upload', async () => {
    const small = new PartWriter(world.s3, 'parts', 'small/part-000000.jsonl.gz');
    await small.write(['{"a":1}', '{"a":2}']);
    expect(await small.publish()).toMatchObject({ records: 2 });
    expect(await read('small/part-000000.jsonl.gz')).toEqual(['{"a":1}', '{"a":2}']);

    const abandoned = new PartWriter(world.s3, 'parts', 'abandoned/part-000000.jsonl.gz', MIN_CHUNK);
    await abandoned.write(lines(7000));
    expect((await world.s3.send(new ListMultipartUploadsCommand({ Bucket: 'parts' }))).Uploads ?? []).toHaveLength(1);
    await abandoned.abort();
    expect((await world.s3.send(new ListMultipartUploadsCommand({ Bucket: 'parts' }))).Uploads ?? []).toHaveLength(0);
  });
});
