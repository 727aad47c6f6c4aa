import { TerraformOutput } from 'cdktf';
import { LakeBucket, LakeDatabase, LakeKey, LakeRole, LakeWorkgroup } from '../src';
import { policyStatements, resources, synthWith } from './helpers';

const PARTITION = '${data.aws_partition.AwsEnv_Partition_54C8A86E.partition}';
const REGION = '${data.aws_region.AwsEnv_Region_B21A6961.name}';
const ACCOUNT = '${data.aws_caller_identity.AwsEnv_Account_38EF5564.account_id}';
const KEY = 'arn:aws:kms:sa-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Another team's stack: the lake's resources by name (the lake stack's outputs), a role granted on them. */
function consumer() {
  return synthWith((stack) => {
    const key = LakeKey.fromKeyAttributes(stack, 'LakeKey', { keyArn: KEY });
    const curated = LakeBucket.fromBucketAttributes(stack, 'Curated', { bucketName: 'nfe-dev-curated-123456789012', key });
    const database = LakeDatabase.fromDatabaseAttributes(stack, 'Database', { databaseName: 'nfe_dev_lake', catalogKey: key });
    const workgroup = LakeWorkgroup.fromWorkgroupAttributes(stack, 'Workgroup', { workgroupName: 'nfe-dev-lake' });
    const role = new LakeRole(stack, 'Reader', { roleName: 'bi-reader', assumedBy: ['lambda.amazonaws.com'], description: 'BI team reader' });
    curated.grantRead(role, 'nfe_invoice/*');
    database.grantRead(role);
    workgroup.addNamedQuery(database, { name: 'bi-invoices', description: 'BI', sql: 'SELECT 1' });
    new TerraformOutput(stack, 'workgroup_arn', { value: workgroup.workgroupArn });
    new TerraformOutput(stack, 'database_arn', { value: database.databaseArn });
  });
}

describe('fromXxxAttributes: the lake as seen from another stack', () => {
  it('creates no bucket, key, database or workgroup', () => {
    const { tf } = consumer();
    for (const type of ['aws_s3_bucket', 'aws_s3_bucket_policy', 'aws_kms_key', 'aws_glue_catalog_database', 'aws_athena_workgroup']) expect(resources(tf, type)).toEqual([]);
  });

  it('bucket: the ARN from the name and the partition, grants on it and on its key', () => {
    const statements = policyStatements(consumer().tf, 'bi-reader');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:${PARTITION}:s3:::nfe-dev-curated-123456789012`] }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`arn:${PARTITION}:s3:::nfe-dev-curated-123456789012/nfe_invoice/*`] }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: [KEY] }));
  });

  it('database: its ARN, Glue read on the catalog, the database and its tables', () => {
    const { tf } = consumer();
    expect(tf.output!.database_arn.value).toBe(`arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:database/nfe_dev_lake`);
    const statements = policyStatements(tf, 'bi-reader');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['glue:GetTable', 'glue:GetPartitions']),
        Resource: [`arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:catalog`, `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:database/nfe_dev_lake`, `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:table/nfe_dev_lake/*`],
      }),
    );
  });

  it('workgroup: the ARN, and named queries saved in it', () => {
    const { tf } = consumer();
    expect(resources(tf, 'aws_athena_named_query')).toEqual([expect.objectContaining({ name: 'bi-invoices', workgroup: 'nfe-dev-lake', database: 'nfe_dev_lake', query: 'SELECT 1' })]);
    expect(tf.output!.workgroup_arn.value).toBe(`arn:${PARTITION}:athena:${REGION}:${ACCOUNT}:workgroup/nfe-dev-lake`);
  });

  it('an imported bucket without a key grants no KMS', () => {
    const { tf } = synthWith((stack) => {
      const role = new LakeRole(stack, 'Reader', { roleName: 'bi-reader', assumedBy: ['lambda.amazonaws.com'], description: 'x' });
      LakeBucket.fromBucketAttributes(stack, 'B', { bucketName: 'shared-bucket' }).grantWrite(role);
    });
    expect(policyStatements(tf).flatMap((s) => s.Action).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('rejects bad names and ARNs with the value and the fix', () => {
    expect(() => synthWith((stack) => LakeBucket.fromBucketAttributes(stack, 'B', { bucketName: 'Bad_Bucket' }))).toThrow(
      'invalid bucketName: got "Bad_Bucket"; use an S3 bucket name (3-63 lowercase letters, digits, "." and "-")',
    );
    expect(() => synthWith((stack) => LakeKey.fromKeyAttributes(stack, 'K', { keyArn: 'alias/nfe-dev-lake' }))).toThrow(
      'invalid keyArn: got "alias/nfe-dev-lake"; use the key ARN, arn:<partition>:kms:<region>:<account>:key/<key-id> (the lake stack output lake_key_arn)',
    );
    expect(() => synthWith((stack) => LakeDatabase.fromDatabaseAttributes(stack, 'D', { databaseName: 'nfe-dev-lake' }))).toThrow('invalid databaseName: got "nfe-dev-lake"; use lowercase letters');
    expect(() => synthWith((stack) => LakeWorkgroup.fromWorkgroupAttributes(stack, 'W', { workgroupName: 'bad name' }))).toThrow('invalid workgroupName: got "bad name"; use an Athena workgroup name');
  });
});
