import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { DefaultTokenResolver, IAspect, StringConcat, TerraformStack, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Fails synth when data could land unencrypted: every bucket needs default encryption with a KMS
 * key (SSE-S3 only for a server access logs target, which S3 log delivery requires), every queue,
 * log group and Lambda environment a customer managed key.
 */
export class EncryptionGuard implements IAspect {
  visit(node: IConstruct): void {
    const problem = this.check(node);
    if (problem) node.node.addValidation({ validate: () => [`invalid encryption of ${node.node.path}: got ${problem.got}; ${problem.fix}`] });
  }

  private check(node: IConstruct): Problem | undefined {
    if (node instanceof SqsQueue && !node.kmsMasterKeyIdInput) return { got: 'a queue without a KMS key', fix: 'set kmsMasterKeyId' };
    if (node instanceof CloudwatchLogGroup && !node.kmsKeyIdInput) return { got: 'a log group without a KMS key', fix: 'set kmsKeyId' };
    if (node instanceof LambdaFunction && !node.kmsKeyArnInput) return { got: 'a function environment without a KMS key', fix: 'set kmsKeyArn' };
    if (node instanceof S3Bucket) return bucketProblem(node);
    return undefined;
  }
}

interface Problem {
  readonly got: string;
  readonly fix: string;
}

function bucketProblem(bucket: S3Bucket): Problem | undefined {
  const stack = TerraformStack.of(bucket);
  const resolve = (value: unknown) => Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) });
  const id = resolve(bucket.id);
  const all = stack.node.findAll();
  const encryption = all.find((c): c is S3BucketServerSideEncryptionConfigurationA => c instanceof S3BucketServerSideEncryptionConfigurationA && resolve(c.bucketInput) === id);
  if (!encryption) return { got: 'a bucket without default encryption', fix: 'add an aws_s3_bucket_server_side_encryption_configuration with SSE-KMS (LakeBucket does)' };
  const rules = encryption.ruleInput as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } }[] | undefined;
  const algorithm = rules?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm;
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') return undefined;
  const bucketName = resolve(bucket.bucket);
  const isLogTarget = all.some((c) => c instanceof S3BucketLoggingA && resolve(c.targetBucketInput) === bucketName);
  return isLogTarget ? undefined : { got: `a bucket encrypted with ${algorithm}`, fix: 'use SSE-KMS with the lake key' };
}
