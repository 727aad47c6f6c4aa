import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketIntelligentTieringConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-intelligent-tiering-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ALLOW_DATA_DESTRUCTION_CONTEXT, LakeBucket, LakeKey, LakeRole } from '../src';
import { policyStatements, preventDestroyOf, resources, storageIn, synthWith } from './helpers';

const lifecycleRules = (tf: ReturnType<typeof synthWith>['tf'], bucketId: string) =>
  resources(tf, 'aws_s3_bucket_lifecycle_configuration').find((l) => String(l.bucket).includes(bucketId))?.rule as { id: string }[];

describe('LakeStorage defaults', () => {
  const { json, tf } = synthWith((stack) => storageIn(stack));

  it('creates six buckets named <prefix>-<layer>-<account>, none force-destroyable', () => {
    const names = resources(tf, 'aws_s3_bucket').map((b) => String(b.bucket).replace(/\$\{.*\}/, 'ACCOUNT'));
    expect(names.sort()).toEqual(['access-logs', 'analytics', 'artefacts', 'athena-results', 'curated', 'raw'].map((l) => `nfe-test-${l}-ACCOUNT`));
    expect(json).toHaveResourceWithProperties(S3Bucket, { force_destroy: false });
  });

  it('retains the key, every bucket and every bucket setting: terraform destroy refuses them (prevent_destroy)', () => {
    const protectedResources = preventDestroyOf(tf);
    expect(protectedResources.filter(([, prevented]) => !prevented)).toEqual([]);
    const types = new Set(protectedResources.map(([address]) => address.split('.')[0]));
    expect([...types].sort()).toEqual([
      'aws_kms_alias',
      'aws_kms_key',
      'aws_s3_bucket',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_logging',
      'aws_s3_bucket_notification',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
    ]);
  });

  it('uses a customer key with rotation and a 30-day deletion window', () => {
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30 });
  });

  it('encrypts data buckets with the lake key and bucket keys; access logs with SSE-S3 (log delivery needs it)', () => {
    const rules = resources(tf, 'aws_s3_bucket_server_side_encryption_configuration').map((e) => (e.rule as { apply_server_side_encryption_by_default: { sse_algorithm: string; kms_master_key_id?: string }; bucket_key_enabled?: boolean }[])[0]);
    expect(rules.filter((r) => r.apply_server_side_encryption_by_default.sse_algorithm === 'aws:kms' && r.bucket_key_enabled && /aws_kms_key\..*\.arn/.test(String(r.apply_server_side_encryption_by_default.kms_master_key_id)))).toHaveLength(5);
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] });
  });

  it('blocks public access, disables ACLs and versions every bucket', () => {
    expect(resources(tf, 'aws_s3_bucket_public_access_block').filter((p) => p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets)).toHaveLength(6);
    expect(resources(tf, 'aws_s3_bucket_ownership_controls').every((o) => (o.rule as { object_ownership: string }).object_ownership === 'BucketOwnerEnforced')).toBe(true);
    expect(resources(tf, 'aws_s3_bucket_versioning')).toHaveLength(6);
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, { block_public_policy: true });
    expect(json).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  it('denies non-TLS requests on every bucket and lets S3 log delivery write the access logs bucket only', () => {
    const policies = resources(tf, 'aws_s3_bucket_policy').map((p) => JSON.parse(String(p.policy)).Statement as { Sid: string; Effect: string; Condition?: unknown }[]);
    expect(policies).toHaveLength(6);
    for (const statements of policies) {
      expect(statements).toContainEqual(expect.objectContaining({ Sid: 'DenyInsecureTransport', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
    expect(policies.filter((s) => s.some((st) => st.Sid === 'S3ServerAccessLogDelivery'))).toHaveLength(1);
  });

  it('scopes log delivery to the lake\'s own buckets of this account (aws:SourceArn + aws:SourceAccount)', () => {
    const delivery = resources(tf, 'aws_s3_bucket_policy')
      .flatMap((p) => JSON.parse(String(p.policy)).Statement as { Sid: string; Condition: { ArnLike: Record<string, string[]>; StringEquals: Record<string, string> } }[])
      .find((st) => st.Sid === 'S3ServerAccessLogDelivery')!;
    expect(delivery.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '${data.aws_caller_identity.AwsEnv_Account_38EF5564.account_id}' });
    const sources = delivery.Condition.ArnLike['aws:SourceArn'];
    expect(sources.map((arn) => /aws_s3_bucket\.Storage_(\w+?)_[0-9A-F]{8}\.arn/.exec(arn)![1]).sort()).toEqual(['Analytics', 'Artefacts', 'AthenaResults', 'Curated', 'Raw']);
  });

  it('refuses uploads to the five KMS buckets that name another key or another encryption (none named: the default applies)', () => {
    const policies = resources(tf, 'aws_s3_bucket_policy').map((p) => JSON.parse(String(p.policy)).Statement as { Sid: string; Condition?: unknown }[]);
    const denies = policies.filter((s) => s.some((st) => st.Sid === 'DenyUploadsUnderAnotherKey'));
    expect(denies).toHaveLength(5);
    for (const statements of denies) {
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: ['s3:PutObject'],
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': expect.stringMatching(/aws_kms_key\.Storage_Key.*\.arn/) }, Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' } },
        }),
      );
      expect(statements).toContainEqual(expect.objectContaining({ Sid: 'DenyUploadsNotSseKms', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Null: { 's3:x-amz-server-side-encryption': 'false' } } }));
    }
  });

  it('logs access of the five data buckets to the access logs bucket, after its policy exists', () => {
    const logging = resources(tf, 'aws_s3_bucket_logging');
    expect(logging).toHaveLength(5);
    expect(logging.every((l) => String(l.target_bucket).includes('Storage_AccessLogs') && (l.depends_on as string[]).some((d) => d.includes('AccessLogs_Policy')))).toBe(true);
    expect(json).toHaveResourceWithProperties(S3BucketLoggingA, { target_prefix: expect.stringMatching(/^nfe-test-raw-/) });
  });

  it('aborts incomplete uploads after 7 days, expires noncurrent versions after 30, tiers to Intelligent-Tiering', () => {
    expect(json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: expect.arrayContaining([
        expect.objectContaining({ id: 'abort-incomplete-multipart-uploads', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
        expect.objectContaining({ id: 'expire-noncurrent-versions', noncurrent_version_expiration: [{ noncurrent_days: 30 }] }),
        expect.objectContaining({ id: 'intelligent-tiering', transition: [{ days: 0, storage_class: 'INTELLIGENT_TIERING' }] }),
      ]),
    });
    expect(lifecycleRules(tf, 'AthenaResults').map((r) => r.id)).toEqual(['abort-incomplete-multipart-uploads', 'expire-noncurrent-versions', 'expire-current-versions']);
    expect(lifecycleRules(tf, 'AthenaResults')[2]).toMatchObject({ expiration: [{ days: 30 }] });
    expect(lifecycleRules(tf, 'Storage_AccessLogs')[2]).toMatchObject({ expiration: [{ days: 365 }] });
  });

  it('keeps archive tiers off (Athena cannot read archived objects) and publishes raw events to EventBridge', () => {
    expect(json).not.toHaveResource(S3BucketIntelligentTieringConfiguration);
    expect(resources(tf, 'aws_s3_bucket_notification')).toHaveLength(1);
    expect(json).toHaveResourceWithProperties(S3BucketNotification, { eventbridge: true, bucket: expect.stringContaining('Storage_Raw') });
  });
});

describe('LakeStorage options', () => {
  it('opts the raw bucket, and only it, into archive tiers', () => {
    const { json, tf } = synthWith((stack) => storageIn(stack, { archiveAccessTierDays: 180, deepArchiveAccessTierDays: 365 }));
    expect(resources(tf, 'aws_s3_bucket_intelligent_tiering_configuration')).toHaveLength(1);
    expect(json).toHaveResourceWithProperties(S3BucketIntelligentTieringConfiguration, {
      bucket: expect.stringContaining('Storage_Raw'),
      tiering: [{ access_tier: 'ARCHIVE_ACCESS', days: 180 }, { access_tier: 'DEEP_ARCHIVE_ACCESS', days: 365 }],
    });
  });

  it('applies retention settings, force destroy and the TLS switch', () => {
    const { json, tf } = synthWith(
      (stack) =>
        storageIn(stack, { noncurrentVersionExpirationDays: 3, abortIncompleteMultipartDays: 2, athenaResultsExpirationDays: 5, accessLogsExpirationDays: 90, removalPolicy: 'destroy', forceDestroy: true, enforceTls: false }),
      { [ALLOW_DATA_DESTRUCTION_CONTEXT]: true },
    );
    expect(json).toHaveResourceWithProperties(S3Bucket, { force_destroy: true });
    expect(preventDestroyOf(tf).filter(([, prevented]) => prevented)).toEqual([]);
    expect(lifecycleRules(tf, 'Storage_Raw')).toEqual(expect.arrayContaining([expect.objectContaining({ abort_incomplete_multipart_upload: [{ days_after_initiation: 2 }] }), expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 3 }] })]));
    expect(lifecycleRules(tf, 'AthenaResults')[2]).toMatchObject({ expiration: [{ days: 5 }] });
    expect(lifecycleRules(tf, 'Storage_AccessLogs')[2]).toMatchObject({ expiration: [{ days: 90 }] });
    const statements = resources(tf, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(String(p.policy)).Statement as { Sid: string }[]);
    expect(statements.map((s) => s.Sid).filter((sid) => !sid.startsWith('DenyUploads'))).toEqual(['S3ServerAccessLogDelivery']);
  });

  it('destroys data only with both flags: removalPolicy destroy and the app-wide opt-in', () => {
    expect(() => synthWith((stack) => storageIn(stack, { removalPolicy: 'destroy' }))).toThrow(
      'invalid removalPolicy of test/Storage/Key: got "destroy"; destroying data needs the app-wide opt-in as well: new LakeApp({ allowDataDestruction: true }) (the context "@nfe-lake/allowDataDestruction": true), or keep removalPolicy "retain"',
    );
    // the opt-in alone changes nothing: each construct still retains by default
    const optedIn = synthWith((stack) => storageIn(stack), { [ALLOW_DATA_DESTRUCTION_CONTEXT]: true });
    expect(preventDestroyOf(optedIn.tf).every(([, prevented]) => prevented)).toBe(true);
    expect(() => synthWith((stack) => storageIn(stack, { forceDestroy: true }))).toThrow(
      "invalid forceDestroy of test/Storage/AccessLogs: got true; a retained bucket is never destroyed: set removalPolicy 'destroy' (with the app-wide opt-in) or drop forceDestroy",
    );
  });

  it('rejects bad values with the value and the fix', () => {
    expect(() => synthWith((stack) => storageIn(stack, { noncurrentVersionExpirationDays: 0 }))).toThrow('invalid noncurrentVersionExpirationDays: got 0; use a whole number of days >= 1');
    expect(() => synthWith((stack) => new LakeKey(stack, 'K', { aliasName: 'nfe-test-x', deletionWindowDays: 3 }))).toThrow('invalid deletionWindowDays: got 3; use 7 to 30 days');
    expect(() => synthWith((stack) => new LakeBucket(stack, 'B', { bucketName: 'nfe-test-b', intelligentTiering: false, archiveAccessTierDays: 90 }))).toThrow(/archive tiers need intelligentTiering/);
  });
});

describe('grants', () => {
  it('grantRead/grantWrite scope S3 actions to the key pattern and add the key', () => {
    const { tf } = synthWith((stack) => {
      const storage = storageIn(stack);
      const role = new LakeRole(stack, 'Reader', { roleName: 'nfe-test-reader', assumedBy: ['lambda.amazonaws.com'], description: 'test' });
      storage.raw.grantRead(role, 'src/*');
      storage.curated.grantWrite(role);
    });
    const statements = policyStatements(tf);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [expect.stringMatching(/Storage_Raw.*\.arn\}\/src\/\*$/)] }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: [expect.stringMatching(/Storage_Curated.*\.arn\}\/\*$/)] }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:GenerateDataKey*']) }));
    // duplicates (the key grant of both buckets) collapse
    expect(statements.filter((s) => s.Action.includes('kms:Decrypt') && !s.Action.includes('kms:Encrypt'))).toHaveLength(1);
  });

  it('a role without permissions fails synth', () => {
    expect(() => synthWith((stack) => new LakeRole(stack, 'Empty', { roleName: 'nfe-test-empty', assumedBy: ['lambda.amazonaws.com'], description: 'x' }))).toThrow(/role nfe-test-empty has no permissions/);
  });
});
