/** The Lambda entry point as deployed: configuration from the environment, SDK clients built by the
 * handler (endpoint from AWS_ENDPOINT_URL, here moto server over HTTP). */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { triggerMarkerKey } from '@nfe-lake/lake-core';
import { LocalAws, startLocalAws } from '@nfe-lake/local-aws';
import { ARTEFACTS, RAW_BUCKET, SPEC_KEY, launchSpec, manifest, objectCreated, runRef } from './fixtures';

let aws: LocalAws;
let s3: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  aws = await startLocalAws();
  s3 = new S3Client(aws.clientConfig);
  Object.assign(process.env, aws.env, {
    AWS_ENDPOINT_URL: aws.endpoint,
    LAUNCH_SPEC_URI: `s3://${ARTEFACTS}/${SPEC_KEY}`,
    RAW_BUCKET,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
});

afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  await aws?.stop();
});

it('starts a run for a manifest event and records it', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: RAW_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: ARTEFACTS }));
  await s3.send(new PutObjectCommand({ Bucket: ARTEFACTS, Key: SPEC_KEY, Body: JSON.stringify(launchSpec()) }));
  const { key, body } = manifest(runRef('run-h'));
  await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: JSON.stringify(body) }));

  const { handler } = await import('../src/index');
  const result = await handler(objectCreated(key));
  expect(result.started).toHaveLength(1);
  expect(result.started[0].clusterId).toMatch(/^j-/);
  const marker = await s3.send(new GetObjectCommand({ Bucket: RAW_BUCKET, Key: triggerMarkerKey(runRef('run-h')) }));
  expect(JSON.parse(await marker.Body!.transformToString())).toMatchObject({ state: 'started', jobRunId: 'run-h', clusterId: result.started[0].clusterId });
});
