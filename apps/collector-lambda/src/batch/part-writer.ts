import { once } from 'node:events';
import { createGzip, Gzip } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { storageCall } from '../errors';

/** S3's minimum multipart part size is 5 MiB; 8 MiB keeps the request count low. */
export const MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024;

export interface WrittenPart {
  readonly key: string;
  readonly records: number;
  /** Size of the object (gzip). */
  readonly bytes: number;
}

/**
 * One raw part: NDJSON lines gzip-compressed as they come and streamed to S3. A part that stays
 * under one chunk is a single PutObject; a bigger one becomes a multipart upload whose chunks are
 * sent as they fill, so memory holds at most one chunk whatever the part size. The object appears
 * only on `publish()`, with `If-None-Match: *`: an existing object is never overwritten silently.
 */
export class PartWriter {
  records = 0;
  uncompressedBytes = 0;
  private readonly gzip: Gzip = createGzip();
  private chunks: Buffer[] = [];
  private chunkLength = 0;
  private compressedBytes = 0;
  private uploadId: string | undefined;
  private readonly uploaded: CompletedPart[] = [];
  private ended = false;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    readonly key: string,
    private readonly chunkBytes = MULTIPART_CHUNK_BYTES,
  ) {
    this.gzip.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.chunkLength += chunk.length;
      this.compressedBytes += chunk.length;
    });
  }

  /** Compressed bytes not yet sent to S3: what `publish()` still has to upload. */
  get pendingBytes(): number {
    return this.chunkLength;
  }

  /** Appends lines (each one JSON record, without the newline). */
  async write(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      const data = `${line}\n`;
      this.uncompressedBytes += Buffer.byteLength(data);
      if (!this.gzip.write(data)) await once(this.gzip, 'drain');
    }
    this.records += lines.length;
    if (this.chunkLength >= this.chunkBytes) await this.uploadChunk();
  }

  /**
   * Makes the part visible. Throws `PreconditionFailed` when the key exists already; the writer
   * keeps its data, so the caller may remove the orphan and publish again.
   */
  async publish(): Promise<WrittenPart> {
    if (!this.ended) {
      this.ended = true;
      const done = once(this.gzip, 'end');
      this.gzip.end();
      await done;
      if (this.uploadId !== undefined) await this.uploadChunk();
    }
    if (this.uploadId === undefined) {
      const body = Buffer.concat(this.chunks);
      await storageCall('PutObject', this.key, () =>
        this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentType: 'application/gzip', IfNoneMatch: '*' })),
      );
    } else {
      const uploadId = this.uploadId;
      await storageCall('CompleteMultipartUpload', this.key, () =>
        this.s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: this.key,
            UploadId: uploadId,
            MultipartUpload: { Parts: this.uploaded },
            IfNoneMatch: '*',
          }),
        ),
      );
    }
    return { key: this.key, records: this.records, bytes: this.compressedBytes };
  }

  /** Drops an unpublished multipart upload (otherwise the bucket's lifecycle rule removes it). */
  async abort(): Promise<void> {
    const uploadId = this.uploadId;
    if (uploadId === undefined) return;
    await storageCall('AbortMultipartUpload', this.key, () =>
      this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId })),
    );
  }

  private async uploadChunk(): Promise<void> {
    if (this.uploadId === undefined) {
      const created = await storageCall('CreateMultipartUpload', this.key, () =>
        this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: 'application/gzip' })),
      );
      this.uploadId = created.UploadId;
    }
    const body = Buffer.concat(this.chunks);
    this.chunks = [];
    this.chunkLength = 0;
    const partNumber = this.uploaded.length + 1;
    const { ETag } = await storageCall(`UploadPart ${partNumber}`, this.key, () =>
      this.s3.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, PartNumber: partNumber, Body: body })),
    );
    this.uploaded.push({ PartNumber: partNumber, ETag });
  }
}
