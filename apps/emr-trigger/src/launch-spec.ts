import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmrLaunchSpec, emrLaunchSpecSchema } from '@nfe-lake/lake-core';
import { TriggerError } from './errors';

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new TriggerError(`not an s3://<bucket>/<key> URI: ${JSON.stringify(uri)}`);
  return { bucket: m[1], key: m[2] };
}

/** Reads and validates the launch spec infra rendered; every problem names the URI and the field. */
export async function loadLaunchSpec(s3: S3Client, uri: string): Promise<EmrLaunchSpec> {
  const { bucket, key } = parseS3Uri(uri);
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await object.Body?.transformToString()) ?? '';
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket') throw new TriggerError(`launch spec not found at ${uri} (${name})`, { cause: err });
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TriggerError(`launch spec at ${uri} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = emrLaunchSpecSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TriggerError(`launch spec at ${uri} is invalid: ${issues}`);
  }
  return parsed.data;
}
