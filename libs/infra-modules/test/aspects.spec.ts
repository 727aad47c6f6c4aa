import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Aspects, TerraformStack } from 'cdktf';
import { EncryptionGuard, LakeBucket, LakeTags, NamingGuard } from '../src';
import { resources, storageIn, synthWith } from './helpers';

const withAspects = (build: (stack: TerraformStack) => void) =>
  synthWith((stack) => {
    build(stack);
    for (const aspect of [new LakeTags({ project: 'nfe', environment: 'test' }), new NamingGuard('nfe-test'), new EncryptionGuard()]) Aspects.of(stack).add(aspect);
  });

describe('Aspects', () => {
  it('LakeTags tags every taggable resource; a construct’s own tags win', () => {
    const { tf } = withAspects((stack) => {
      storageIn(stack);
      new SqsQueue(stack, 'Q', { name: 'nfe-test-q', kmsMasterKeyId: 'k', tags: { environment: 'override' } });
    });
    expect(resources(tf, 'aws_s3_bucket').every((b) => b.tags.project === 'nfe' && b.tags.environment === 'test')).toBe(true);
    expect(resources(tf, 'aws_kms_key')[0].tags).toEqual({ project: 'nfe', environment: 'test' });
    expect(resources(tf, 'aws_sqs_queue')[0].tags).toEqual({ project: 'nfe', environment: 'override' });
    // untaggable resources are left alone
    expect(resources(tf, 'aws_s3_bucket_policy').every((p) => p.tags === undefined)).toBe(true);
  });

  it('NamingGuard fails synth on account-wide names outside the environment prefix', () => {
    expect(() => withAspects((stack) => new LakeBucket(stack, 'B', { bucketName: 'other-team-bucket', key: storageIn(stack).key }))).toThrow(/invalid name of aws_s3_bucket test\/B\/Resource: got "other-team-bucket"; start it with "nfe-test-"/);
    expect(() => withAspects((stack) => new CloudwatchLogGroup(stack, 'L', { name: '/aws/lambda/foo', kmsKeyId: 'k' }))).toThrow(/invalid name of aws_cloudwatch_log_group test\/L: got "\/aws\/lambda\/foo"/);
    expect(() => withAspects((stack) => storageIn(stack))).not.toThrow();
  });

  it('EncryptionGuard fails synth on unencrypted buckets, queues and log groups', () => {
    expect(() => withAspects((stack) => new S3Bucket(stack, 'Plain', { bucket: 'nfe-test-plain' }))).toThrow(/invalid encryption of test\/Plain: got a bucket without default encryption; add an aws_s3_bucket_server_side_encryption_configuration/);
    expect(() =>
      withAspects((stack) => {
        const bucket = new S3Bucket(stack, 'S3', { bucket: 'nfe-test-sse-s3' });
        new S3BucketServerSideEncryptionConfigurationA(stack, 'Sse', { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
      }),
    ).toThrow(/invalid encryption of test\/\w+: got a bucket encrypted with AES256; use SSE-KMS with the lake key/);
    expect(() => withAspects((stack) => new SqsQueue(stack, 'Q', { name: 'nfe-test-q' }))).toThrow(/invalid encryption of test\/Q: got a queue without a KMS key; set kmsMasterKeyId/);
    expect(() => withAspects((stack) => new CloudwatchLogGroup(stack, 'L', { name: 'nfe-test-l' }))).toThrow(/invalid encryption of test\/L: got a log group without a KMS key; set kmsKeyId/);
  });

  it('EncryptionGuard accepts SSE-S3 only on the server access logs target', () => {
    expect(() => withAspects((stack) => storageIn(stack))).not.toThrow();
    expect(() => withAspects((stack) => new LakeBucket(stack, 'Logs', { bucketName: 'nfe-test-logs' }))).toThrow(/bucket encrypted with AES256/);
  });
});
