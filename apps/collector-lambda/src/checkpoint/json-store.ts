import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { CorruptStateError, StorageError, storageCall } from '../errors';

export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** Create only if absent, or replace only the version we read: S3 conditional writes. */
export type WriteCondition = { readonly ifNoneMatch: true } | { readonly ifMatch: string };

/** Small JSON documents in S3 (checkpoints, source state, manifests) with optimistic concurrency. */
export class JsonStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async get<S extends z.ZodType>(key: string, schema: S): Promise<Versioned<z.infer<S>> | undefined> {
    const found = await storageCall('GetObject', key, async () => {
      try {
        const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        if (!res.Body || !res.ETag) throw new Error('response without body or ETag');
        return { text: await res.Body.transformToString(), etag: res.ETag };
      } catch (e) {
        if ((e as Error).name === 'NoSuchKey') return undefined;
        throw e;
      }
    });
    if (!found) return undefined;
    const { text, etag } = found;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(`s3://${this.bucket}/${key}`, `not JSON (${(e as Error).message})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CorruptStateError(`s3://${this.bucket}/${key}`, z.prettifyError(parsed.error));
    return { value: parsed.data, etag };
  }

  /** Writes `value`; throws `PreconditionFailed` when `condition` does not hold. Returns the new ETag. */
  async put(key: string, value: unknown, condition: WriteCondition): Promise<string> {
    const res = await storageCall('PutObject', key, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(value, null, 1),
          ContentType: 'application/json',
          ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: '*' }),
        }),
      ),
    );
    if (!res.ETag) throw new StorageError('PutObject', key, { cause: new Error('response without ETag') });
    return res.ETag;
  }
}
