import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketIntelligentTieringConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-intelligent-tiering-configuration';
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { AwsEnv } from '../common/aws-env';
import { IGrantable, PolicyStatement, policyDocument } from '../common/iam';
import { applyRemovalPolicy } from '../common/removal-policy';
import { InfraConfigError, check, positiveInt } from '../common/validate';
import { LakeBucketProps } from './lake-bucket-props';
import { ILakeKey } from './lake-key';

/** Every object; an explicit empty prefix (what S3 returns for `{}`), so the provider sees no drift. */
const ALL_OBJECTS = [{ prefix: '' }];

export interface ILakeBucket {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly key?: ILakeKey;
  /** `s3://<bucket>/<key>` */
  s3Uri(key?: string): string;
  /** Read objects matching `keyPattern` (and list the bucket). */
  grantRead(grantee: IGrantable, keyPattern?: string): void;
  /** Write (put, multipart) objects matching `keyPattern`. */
  grantWrite(grantee: IGrantable, keyPattern?: string): void;
  /** `s3:DeleteObject` on keys matching `keyPattern` (default: all): for writers that replace what they wrote. Versioning keeps the old versions. */
  grantDelete(grantee: IGrantable, keyPattern?: string): void;
}

/** A bucket someone else owns (e.g. another team's stack, or the lake stack seen from outside it). */
export interface LakeBucketAttributes {
  readonly bucketName: string;
  /** The key its objects are encrypted with: grants then include it. @default - none (SSE-S3) */
  readonly key?: ILakeKey;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const DATA_PREFIX = /^[\w!.*'()=-][\w!.*'()=/-]*\/$/;

/** URIs and grants, the same for a bucket this stack creates and one it imports. */
abstract class LakeBucketBase extends Construct implements ILakeBucket {
  abstract readonly bucketName: string;
  abstract readonly bucketArn: string;
  abstract readonly key?: ILakeKey;

  s3Uri(key = ''): string {
    return `s3://${this.bucketName}/${key}`;
  }

  grantRead(grantee: IGrantable, keyPattern = '*'): void {
    grantee.addToPolicy({ Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [this.bucketArn] });
    grantee.addToPolicy({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`${this.bucketArn}/${keyPattern}`] });
    this.key?.grantDecrypt(grantee);
  }

  grantWrite(grantee: IGrantable, keyPattern = '*'): void {
    grantee.addToPolicy({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: [`${this.bucketArn}/${keyPattern}`] });
    this.key?.grantEncryptDecrypt(grantee);
  }

  grantDelete(grantee: IGrantable, keyPattern = '*'): void {
    grantee.addToPolicy({ Action: ['s3:DeleteObject'], Resource: [`${this.bucketArn}/${keyPattern}`] });
  }
}

/**
 * A lake bucket, secure by default: SSE-KMS with bucket keys, public access blocked, ACLs
 * disabled, TLS-only policy, versioning with noncurrent expiry, aborted incomplete uploads,
 * server access logs and Intelligent-Tiering without the archive tiers Athena cannot read.
 */
export class LakeBucket extends LakeBucketBase {
  /** A bucket this stack does not manage, by name: grants and URIs, no resource (its policy stays its owner's). */
  static fromBucketAttributes(scope: Construct, id: string, attrs: LakeBucketAttributes): ILakeBucket {
    const bucketName = check('bucketName', attrs.bucketName, (n) => BUCKET_NAME.test(n), 'use an S3 bucket name (3-63 lowercase letters, digits, "." and "-")');
    class Import extends LakeBucketBase {
      readonly bucketName = bucketName;
      readonly bucketArn = `arn:${AwsEnv.of(scope).partition}:s3:::${bucketName}`;
      readonly key = attrs.key;
    }
    return new Import(scope, id);
  }

  readonly resource: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly key?: ILakeKey;
  /** The bucket policy: what depends on a grant in it (e.g. log delivery) waits for it. */
  readonly policy: S3BucketPolicy;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    super(scope, id);
    const days = (what: string, v: number | undefined) => (v === undefined ? undefined : check(what, v, positiveInt, 'use a whole number of days >= 1'));
    const archiveDays = days('archiveAccessTierDays', props.archiveAccessTierDays);
    const deepArchiveDays = days('deepArchiveAccessTierDays', props.deepArchiveAccessTierDays);
    const intelligentTiering = props.intelligentTiering ?? true;
    if ((archiveDays ?? deepArchiveDays) !== undefined && !intelligentTiering) {
      throw new Error(`bucket ${props.bucketName}: archive tiers need intelligentTiering; set intelligentTiering: true or drop archiveAccessTierDays/deepArchiveAccessTierDays`);
    }

    const objectLockDays =
      props.objectLockRetentionDays === undefined
        ? undefined
        : check('objectLockRetentionDays', props.objectLockRetentionDays, (d) => positiveInt(d) && d <= 36_500, 'use a whole number of days from 1 to 36500');
    const noncurrentDays =
      props.noncurrentVersionExpirationDays === 'never' ? undefined : (days('noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays) ?? 30);
    if (props.breakGlassRoleArn !== undefined) {
      check('breakGlassRoleArn', props.breakGlassRoleArn, (a) => ROLE_ARN.test(a), 'use an IAM role ARN, arn:aws:iam::<account>:role/<name>');
      check('breakGlassRoleArn', props.breakGlassRoleArn, () => props.protectVersions === true, 'it exempts from the denies of protectVersions: set protectVersions: true or drop it');
    }
    const dataPrefixes = props.dataPrefixes ?? [''];
    check('dataPrefixes', dataPrefixes, (p) => p.length > 0, 'name at least one prefix, or leave dataPrefixes out for the whole bucket');
    for (const prefix of props.dataPrefixes ?? []) {
      check('data prefix', prefix, (p) => DATA_PREFIX.test(p), 'use a key prefix ending in "/", e.g. "source/dataset/" (lake-core rawDatasetPrefix)');
    }

    if (applyRemovalPolicy(this, props.removalPolicy) && props.forceDestroy) {
      throw new InfraConfigError(`invalid forceDestroy of ${this.node.path}: got true; a retained bucket is never destroyed: set removalPolicy 'destroy' (with the app-wide opt-in) or drop forceDestroy`);
    }
    this.key = props.key;
    this.resource = new S3Bucket(this, 'Resource', {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      objectLockEnabled: objectLockDays === undefined ? undefined : true,
    });
    this.bucketName = this.resource.bucket;
    this.bucketArn = this.resource.arn;
    const bucket = this.resource.id;

    this.statements = [];
    if (props.enforceTls ?? true) {
      this.statements.push({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['s3:*'],
        Resource: [this.bucketArn, `${this.bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
    if (props.key && (props.enforceLakeKey ?? true)) {
      // Uploads that name their own encryption must name the lake key (the default encryption covers
      // those that name none): another key or SSE-S3 would leave objects readers cannot decrypt, or
      // outside the key's policy.
      const objects = `${this.bucketArn}/*`;
      this.statements.push(
        {
          Sid: 'DenyUploadsUnderAnotherKey',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:PutObject'],
          Resource: [objects],
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': props.key.keyArn }, Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' } },
        },
        {
          Sid: 'DenyUploadsNotSseKms',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:PutObject'],
          Resource: [objects],
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Null: { 's3:x-amz-server-side-encryption': 'false' } },
        },
      );
    }
    if (props.protectVersions) {
      const breakGlass = props.breakGlassRoleArn === undefined ? [] : [props.breakGlassRoleArn];
      const deployer = AwsEnv.of(this).deployerPrincipalArn;
      const exceptFor = (principals: string[]) => (principals.length === 0 ? {} : { Condition: { ArnNotLike: { 'aws:PrincipalArn': principals } } });
      this.statements.push(
        {
          Sid: 'DenyObjectVersionDeletion',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
          Resource: [`${this.bucketArn}/*`],
          // emptying the bucket on destroy deletes every version: the deployer may with the explicit opt-in only
          ...exceptFor(props.forceDestroy ? [...breakGlass, deployer] : breakGlass),
        },
        {
          Sid: 'DenyVersionProtectionChanges',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketObjectLockConfiguration'],
          Resource: [this.bucketArn],
          // Terraform applies these settings as the deployer
          ...exceptFor([...breakGlass, deployer]),
        },
      );
    }
    this.policy = new S3BucketPolicy(this, 'Policy', { bucket, policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }) });
    new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'OwnershipControls', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.key ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.key.keyArn } : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.key ? true : undefined,
        },
      ],
    });
    // after the policy: a deployer new to the bucket is exempt before it applies the protected settings
    const protectedSettings = props.protectVersions ? { dependsOn: [this.policy] } : {};
    const versioning = new S3BucketVersioningA(this, 'Versioning', { bucket, versioningConfiguration: { status: 'Enabled' }, ...protectedSettings });
    if (objectLockDays !== undefined) {
      new S3BucketObjectLockConfigurationA(this, 'ObjectLock', {
        bucket,
        rule: { defaultRetention: { mode: 'GOVERNANCE', days: objectLockDays } },
        dependsOn: [versioning, ...(props.protectVersions ? [this.policy] : [])],
      });
    }

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: ALL_OBJECTS,
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: days('abortIncompleteMultipartDays', props.abortIncompleteMultipartDays) ?? 7 }],
      },
    ];
    // one rule per data prefix; the whole bucket keeps the ids it always had
    const scoped = (id: string, prefix: string) => (prefix === '' ? id : `${id}:${prefix}`);
    if (noncurrentDays !== undefined) {
      for (const prefix of dataPrefixes) {
        rules.push({
          id: scoped('expire-noncurrent-versions', prefix),
          status: 'Enabled',
          filter: [{ prefix }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        });
      }
    }
    const expirationDays = days('expirationDays', props.expirationDays);
    if (expirationDays !== undefined) {
      rules.push({ id: 'expire-current-versions', status: 'Enabled', filter: ALL_OBJECTS, expiration: [{ days: expirationDays }] });
    }
    if (intelligentTiering) {
      for (const prefix of dataPrefixes) {
        rules.push({ id: scoped('intelligent-tiering', prefix), status: 'Enabled', filter: [{ prefix }], transition: [{ days: 0, storageClass: 'INTELLIGENT_TIERING' }] });
      }
    }
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', { bucket, rule: rules, dependsOn: [versioning, ...(props.protectVersions ? [this.policy] : [])] });

    if (archiveDays !== undefined || deepArchiveDays !== undefined) {
      const tiering = [
        ...(archiveDays === undefined ? [] : [{ accessTier: 'ARCHIVE_ACCESS', days: archiveDays }]),
        ...(deepArchiveDays === undefined ? [] : [{ accessTier: 'DEEP_ARCHIVE_ACCESS', days: deepArchiveDays }]),
      ];
      if (props.dataPrefixes === undefined) {
        new S3BucketIntelligentTieringConfiguration(this, 'ArchiveTiers', { bucket, name: 'archive-tiers', tiering });
      } else {
        // S3 takes one prefix per tiering configuration; ids and names from the prefix ("source/dataset/" -> "source.dataset"),
        // names cut to S3's 64 characters with a hash of the prefix to keep them apart
        const archiveTiers = new Construct(this, 'ArchiveTiers');
        for (const prefix of props.dataPrefixes) {
          const id = `archive-tiers.${prefix.slice(0, -1).replace(/\//g, '.')}`;
          const name = id.length <= 64 ? id : `${id.slice(0, 55)}.${createHash('sha256').update(prefix).digest('hex').slice(0, 8)}`;
          new S3BucketIntelligentTieringConfiguration(archiveTiers, id, { bucket, name, filter: { prefix }, tiering });
        }
      }
    }
    if (props.accessLogsBucket) {
      new S3BucketLoggingA(this, 'AccessLogs', {
        bucket,
        targetBucket: props.accessLogsBucket.bucketName,
        targetPrefix: `${props.bucketName}/`,
        // S3 checks that the target's policy admits log delivery
        dependsOn: [props.accessLogsBucket.policy],
      });
    }
    if (props.eventBridge) {
      new S3BucketNotification(this, 'EventBridge', { bucket, eventbridge: true });
    }
  }

  addToResourcePolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}
