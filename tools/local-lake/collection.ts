import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LocalAws } from '@nfe-lake/local-aws';
import { parseRawObjectKey, RawPart, SourceConfigInput } from '@nfe-lake/lake-core';
import { exec } from './exec';

/**
 * The real collector handler per source, in-process (Lambda invoke needs Docker): the schedule tick, then every
 * SQS continuation, into the raw bucket, reading the exported contract the lake stack deployed as the Lambda does.
 * `at` is the collector's clock (default: now).
 */
export async function collect(sources: readonly SourceConfigInput[], options: { aws: LocalAws; work: string; rawBucket: string; artefactsBucket: string; at?: Date }) {
  for (const src of sources) {
    const sourceFile = join(options.work, `source-${src.name}.json`);
    writeFileSync(sourceFile, JSON.stringify(src, null, 2));
    const collected = await exec(
      'node_modules/.bin/tsx',
      [
        'apps/collector-lambda/src/local/run-local.ts',
        ...['--config', sourceFile, '--endpoint', options.aws.endpoint, '--bucket', options.rawBucket],
        ...(options.at ? ['--at', options.at.toISOString()] : []),
        ...['--contract', `s3://${options.artefactsBucket}/contracts/${src.dataset}.contract.json`],
      ],
      { env: options.aws.env, prefix: `[collector ${src.name}]`, quiet: true },
    );
    for (const line of collected.split('\n').filter((l) => /^\[|run\(s\)/.test(l))) console.log(`  ${src.name}: ${line}`);
  }
}

/** Every raw part in the bucket, decompressed: exactly what the sources served, as the collector stored it. */
export async function rawParts(s3: S3Client, bucket: string): Promise<RawPart[]> {
  const parts: RawPart[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (!Key || Key.startsWith('_')) continue;
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      if (!Body) throw new Error(`empty raw part s3://${bucket}/${Key}`);
      const lines = gunzipSync(Buffer.from(await Body.transformToByteArray())).toString('utf8').split('\n').filter(Boolean);
      parts.push({ key: Key, records: lines.map((l) => JSON.parse(l)) });
    }
    token = page.NextContinuationToken;
  } while (token);
  return parts;
}

/** Records per dataset in the raw parts: what the collector wrote. */
export function recordsPerDataset(parts: readonly RawPart[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const part of parts) {
    const { dataset } = parseRawObjectKey(part.key);
    counts[dataset] = (counts[dataset] ?? 0) + part.records.length;
  }
  return counts;
}
