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
import { checkpointKey, manifestKey, rawDatasetPrefix, rawObjectKey, sourceStateKey, triggerMarkerKey } from '@nfe-lake/lake-core';
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
      'aws_s3_bucket_object_lock_configuration',
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
    expect(lifecycleRules(tf, 'Storage_Curated')).toEqual(expect.arrayContaining([expect.objectContaining({ abort_incomplete_multipart_upload: [{ days_after_initiation: 2 }] }), expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 3 }] })]));
    expect(lifecycleRules(tf, 'AthenaResults')[2]).toMatchObject({ expiration: [{ days: 5 }] });
    expect(lifecycleRules(tf, 'Storage_AccessLogs')[2]).toMatchObject({ expiration: [{ days: 90 }] });
    const statements = resources(tf, 'aws_s3_bucket_policy').flatMap((p) => JSON.parse(String(p.policy)).Statement as { Sid: string }[]);
    expect(statements.map((s) => s.Sid).filter((sid) => !sid.startsWith('DenyUploads')).sort()).toEqual(['DenyObjectVersionDeletion', 'DenyVersionProtectionChanges', 'S3ServerAccessLogDelivery']);
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

describe('raw bucket protection', () => {
  type Statement = { Sid: string; Effect: string; Action: string[]; Resource: string[]; Condition?: { ArnNotLike: { 'aws:PrincipalArn': string[] } } };
  const bucketPolicy = (tf: ReturnType<typeof synthWith>['tf'], bucketId: string) =>
    JSON.parse(String(resources(tf, 'aws_s3_bucket_policy').find((p) => String(p.bucket).includes(bucketId))!.policy)).Statement as Statement[];
  const protection = (statements: Statement[]) => statements.filter((s) => s.Sid === 'DenyObjectVersionDeletion' || s.Sid === 'DenyVersionProtectionChanges');
  const DEPLOYER = '${data.aws_iam_session_context.AwsEnv_Deployer_698B18C9.issuer_arn}';
  const BREAK_GLASS = 'arn:aws:iam::111122223333:role/lake-break-glass';
  const defaults = synthWith((stack) => storageIn(stack)).tf;

  it('creates raw, and only raw, with Object Lock: GOVERNANCE, 365 days default retention, after versioning', () => {
    const locked = resources(defaults, 'aws_s3_bucket').filter((b) => b.object_lock_enabled === true);
    expect(locked.map((b) => String(b.bucket))).toEqual([expect.stringMatching(/^nfe-test-raw-/)]);
    const lock = resources(defaults, 'aws_s3_bucket_object_lock_configuration');
    expect(lock).toHaveLength(1);
    expect(lock[0]).toMatchObject({ bucket: expect.stringContaining('Storage_Raw'), rule: { default_retention: { mode: 'GOVERNANCE', days: 365 } } });
    expect(lock[0].depends_on).toEqual(expect.arrayContaining([expect.stringContaining('Raw_Versioning'), expect.stringContaining('Raw_Policy')]));
  });

  it('denies deleting raw object versions to everyone, and changing its lifecycle, versioning or lock to all but the deployer', () => {
    expect(protection(bucketPolicy(defaults, 'Storage_Raw'))).toEqual([
      {
        Sid: 'DenyObjectVersionDeletion',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
        Resource: [expect.stringMatching(/^\$\{aws_s3_bucket\.Storage_Raw_\w+\.arn\}\/\*$/)],
      },
      {
        Sid: 'DenyVersionProtectionChanges',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['s3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketObjectLockConfiguration'],
        Resource: [expect.stringMatching(/^\$\{aws_s3_bucket\.Storage_Raw_\w+\.arn\}$/)],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [DEPLOYER] } },
      },
    ]);
    // the deployer: the role of Terraform's assumed-role session (an IAM user's ARN passes through)
    expect(Object.values(defaults.data!.aws_iam_session_context)).toEqual([{ arn: '${data.aws_caller_identity.AwsEnv_Account_38EF5564.arn}' }]);
    for (const other of ['Curated', 'Analytics', 'AthenaResults', 'Artefacts', 'Storage_AccessLogs']) expect(protection(bucketPolicy(defaults, other))).toEqual([]);
  });

  it('applies the raw bucket policy before the settings it protects (a new deployer is exempt first)', () => {
    const raw = (type: string) => resources(defaults, type).find((r) => String(r.bucket).includes('Storage_Raw'))!;
    for (const type of ['aws_s3_bucket_versioning', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_object_lock_configuration']) {
      expect(raw(type).depends_on).toContainEqual(expect.stringMatching(/^aws_s3_bucket_policy\.Storage_Raw_Policy_/));
    }
  });

  it('keeps non-current raw versions (raw is the only copy); other buckets expire theirs after 30 days', () => {
    expect(lifecycleRules(defaults, 'Storage_Raw').map((r) => r.id)).toEqual(['abort-incomplete-multipart-uploads', 'intelligent-tiering']);
    for (const other of ['Curated', 'Analytics', 'Artefacts']) {
      expect(lifecycleRules(defaults, other)).toContainEqual(expect.objectContaining({ id: 'expire-noncurrent-versions', noncurrent_version_expiration: [{ noncurrent_days: 30 }] }));
    }
  });

  it('exempts the break-glass role from both denies; with forceDestroy the deployer may empty the bucket', () => {
    const { tf } = synthWith((stack) => storageIn(stack, { breakGlassRoleArn: BREAK_GLASS }));
    expect(protection(bucketPolicy(tf, 'Storage_Raw')).map((s) => [s.Sid, s.Condition])).toEqual([
      ['DenyObjectVersionDeletion', { ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS] } }],
      ['DenyVersionProtectionChanges', { ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS, DEPLOYER] } }],
    ]);
    const destroyable = synthWith((stack) => storageIn(stack, { removalPolicy: 'destroy', forceDestroy: true }), { [ALLOW_DATA_DESTRUCTION_CONTEXT]: true }).tf;
    expect(protection(bucketPolicy(destroyable, 'Storage_Raw'))[0].Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [DEPLOYER] } });
  });

  it('takes another retention, or no Object Lock (a raw bucket created without it) with the denies kept', () => {
    const days30 = synthWith((stack) => storageIn(stack, { rawObjectLockRetentionDays: 30 })).tf;
    expect(resources(days30, 'aws_s3_bucket_object_lock_configuration')[0].rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 30 } });
    const unlocked = synthWith((stack) => storageIn(stack, { rawObjectLock: false })).tf;
    expect(resources(unlocked, 'aws_s3_bucket_object_lock_configuration')).toEqual([]);
    expect(resources(unlocked, 'aws_s3_bucket').filter((b) => 'object_lock_enabled' in b)).toEqual([]);
    expect(protection(bucketPolicy(unlocked, 'Storage_Raw'))).toHaveLength(2);
  });

  it('tiers, archives and expires non-current versions under the raw data prefixes only, never the bookkeeping', () => {
    const prefixes = [rawDatasetPrefix('nfe-api', 'nfe_invoice'), rawDatasetPrefix('shop', 'orders')];
    const { tf } = synthWith((stack) => storageIn(stack, { rawDataPrefixes: prefixes, rawNoncurrentVersionExpirationDays: 400, archiveAccessTierDays: 180 }));
    const rules = lifecycleRules(tf, 'Storage_Raw') as { id: string; filter: { prefix: string }[] }[];
    expect(rules.map((r) => [r.id, r.filter])).toEqual([
      ['abort-incomplete-multipart-uploads', [{ prefix: '' }]],
      ['expire-noncurrent-versions:nfe-api/nfe_invoice/', [{ prefix: 'nfe-api/nfe_invoice/' }]],
      ['expire-noncurrent-versions:shop/orders/', [{ prefix: 'shop/orders/' }]],
      ['intelligent-tiering:nfe-api/nfe_invoice/', [{ prefix: 'nfe-api/nfe_invoice/' }]],
      ['intelligent-tiering:shop/orders/', [{ prefix: 'shop/orders/' }]],
    ]);
    expect(rules[1]).toMatchObject({ noncurrent_version_expiration: [{ noncurrent_days: 400 }] });
    const tiering = resources(tf, 'aws_s3_bucket_intelligent_tiering_configuration');
    expect(tiering.map((t) => [t.name, t.filter])).toEqual([
      ['archive-tiers.nfe-api.nfe_invoice', { prefix: 'nfe-api/nfe_invoice/' }],
      ['archive-tiers.shop.orders', { prefix: 'shop/orders/' }],
    ]);
    // a name over S3's 64 characters is cut and told apart by a hash of its prefix
    const long = [`${'s'.repeat(30)}/${'d'.repeat(30)}/`, `${'s'.repeat(30)}/${'d'.repeat(29)}e/`];
    const longNames = resources(synthWith((stack) => storageIn(stack, { rawDataPrefixes: long, archiveAccessTierDays: 90 })).tf, 'aws_s3_bucket_intelligent_tiering_configuration').map((t) => t.name as string);
    expect(longNames).toEqual([expect.stringMatching(/^archive-tiers\.s{30}\.d{10}\.[0-9a-f]{8}$/), expect.stringMatching(/^archive-tiers\.s{30}\.d{10}\.[0-9a-f]{8}$/)]);
    expect(new Set(longNames).size).toBe(2);
    // every bookkeeping key of the layout falls outside each filter but the multipart abort's
    const run = { source: 'nfe-api', dataset: 'nfe_invoice', ingestDate: '2026-12-01', runId: 'r1' };
    const bookkeeping = [manifestKey(run), checkpointKey(run), sourceStateKey('nfe-api', 'nfe_invoice'), triggerMarkerKey(run)];
    const filters = [...rules.slice(1).map((r) => r.filter[0].prefix), ...tiering.map((t) => t.filter.prefix as string)];
    expect(bookkeeping.filter((key) => filters.some((prefix) => key.startsWith(prefix)))).toEqual([]);
    expect(filters.filter((prefix) => !rawObjectKey({ ...run, source: prefix.split('/')[0], dataset: prefix.split('/')[1], part: 0 }).startsWith(prefix))).toEqual([]);
  });

  it('refuses bad protection settings with the value and the fix', () => {
    const refusal = (props: Parameters<typeof storageIn>[1]) => () => synthWith((stack) => storageIn(stack, props));
    expect(refusal({ rawObjectLockRetentionDays: 0 })).toThrow('invalid objectLockRetentionDays: got 0; use a whole number of days from 1 to 36500');
    expect(refusal({ rawObjectLockRetentionDays: 36_501 })).toThrow('invalid objectLockRetentionDays: got 36501; use a whole number of days from 1 to 36500');
    expect(refusal({ rawObjectLock: false, rawObjectLockRetentionDays: 30 })).toThrow('invalid rawObjectLockRetentionDays: got 30; Object Lock is off (rawObjectLock: false): drop the retention or turn rawObjectLock on');
    expect(refusal({ breakGlassRoleArn: 'lake-break-glass' })).toThrow('invalid breakGlassRoleArn: got "lake-break-glass"; use an IAM role ARN, arn:aws:iam::<account>:role/<name>');
    expect(refusal({ rawNoncurrentVersionExpirationDays: 0 })).toThrow('invalid noncurrentVersionExpirationDays: got 0; use a whole number of days >= 1');
    expect(refusal({ rawDataPrefixes: [] })).toThrow('invalid dataPrefixes: got []; name at least one prefix, or leave dataPrefixes out for the whole bucket');
    expect(refusal({ rawDataPrefixes: ['nfe-api/nfe_invoice'] })).toThrow('invalid data prefix: got "nfe-api/nfe_invoice"; use a key prefix ending in "/", e.g. "source/dataset/" (lake-core rawDatasetPrefix)');
    expect(() => synthWith((stack) => new LakeBucket(stack, 'B', { bucketName: 'nfe-test-b', breakGlassRoleArn: BREAK_GLASS }))).toThrow(
      `invalid breakGlassRoleArn: got "${BREAK_GLASS}"; it exempts from the denies of protectVersions: set protectVersions: true or drop it`,
    );
  });
});
