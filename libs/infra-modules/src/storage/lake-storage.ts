import { rawProtectionSchema } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { AwsEnv } from '../common/aws-env';
import { RemovalPolicy } from '../common/removal-policy';
import { InfraConfigError } from '../common/validate';
import { LakeBucket } from './lake-bucket';
import { ILakeKey, LakeKey } from './lake-key';

export interface LakeStorageProps {
  /** Prefix of every bucket name, e.g. `nfe-dev`; the account id is appended for global uniqueness. */
  readonly namePrefix: string;
  /** Non-current versions in every bucket but raw expire after this many days. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * The raw data's key prefixes (lake-core `rawDatasetPrefix(source, dataset)` of each source): tiering, archive tiers
   * and `rawNoncurrentVersionExpirationDays` apply under them, not to the bookkeeping beside them (`_manifests/`,
   * `_state/`, `_control/`).
   * @default - the whole raw bucket
   */
  readonly rawDataPrefixes?: readonly string[];
  /** Non-current versions of the raw data expire after this many days. @default - never: raw is the only copy */
  readonly rawNoncurrentVersionExpirationDays?: number;
  /**
   * Object Lock (GOVERNANCE) on the raw bucket, with `rawObjectLockRetentionDays` of default retention. S3 enables it
   * only when it creates the bucket: turning it on for an existing raw bucket makes Terraform replace the bucket,
   * which a retained bucket refuses; turn it off for a raw bucket created without it.
   * @default true
   */
  readonly rawObjectLock?: boolean;
  /** @default 365 */
  readonly rawObjectLockRetentionDays?: number;
  /**
   * The role that alone may delete raw object versions, bypass governance retention and (with the deployer) change
   * the raw bucket's lifecycle, versioning and Object Lock settings (`LakeBucketProps.protectVersions`).
   * @default - none: nobody deletes raw object versions without first changing the bucket policy
   */
  readonly breakGlassRoleArn?: string;
  /** @default 7 */
  readonly abortIncompleteMultipartDays?: number;
  /** Opt-in Intelligent-Tiering Archive Access for the raw bucket only (Athena cannot read archived objects). @default - off */
  readonly archiveAccessTierDays?: number;
  /** Opt-in Deep Archive Access for the raw bucket only. @default - off */
  readonly deepArchiveAccessTierDays?: number;
  /** @default 30 */
  readonly athenaResultsExpirationDays?: number;
  /** Server access logs expire after this many days. @default 365 */
  readonly accessLogsExpirationDays?: number;
  /**
   * `retain`: `terraform destroy` refuses to delete the key, any bucket or any bucket setting. `destroy`
   * needs the app-wide opt-in (`LakeApp({ allowDataDestruction: true })`).
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Let `terraform destroy` delete non-empty buckets; needs `removalPolicy: 'destroy'`. @default false */
  readonly forceDestroy?: boolean;
  /** Deny requests not made over TLS on every bucket. @default true */
  readonly enforceTls?: boolean;
  /** Deny uploads to the KMS buckets that name another key or SSE-S3. @default true */
  readonly enforceLakeKey?: boolean;
}

/**
 * The lake's buckets and key: raw, curated, analytics, Athena results, artefacts (jobs, launch
 * specs, EMR logs) and the server access logs bucket they all log to.
 */
export class LakeStorage extends Construct {
  readonly key: LakeKey;
  readonly accessLogs: LakeBucket;
  readonly raw: LakeBucket;
  readonly curated: LakeBucket;
  readonly analytics: LakeBucket;
  readonly athenaResults: LakeBucket;
  readonly artefacts: LakeBucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps) {
    super(scope, id);
    const env = AwsEnv.of(this);
    const name = (layer: string) => `${props.namePrefix}-${layer}-${env.accountId}`;
    const common = {
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      abortIncompleteMultipartDays: props.abortIncompleteMultipartDays,
      removalPolicy: props.removalPolicy,
      forceDestroy: props.forceDestroy,
      enforceTls: props.enforceTls,
      enforceLakeKey: props.enforceLakeKey,
    };
    this.key = new LakeKey(this, 'Key', { aliasName: `${props.namePrefix}-lake`, removalPolicy: props.removalPolicy });

    this.accessLogs = new LakeBucket(this, 'AccessLogs', {
      ...common,
      bucketName: name('access-logs'),
      expirationDays: props.accessLogsExpirationDays ?? 365,
    });

    const encrypted = { ...common, key: this.key as ILakeKey, accessLogsBucket: this.accessLogs };
    const rawDefaults = rawProtectionSchema.parse({});
    if (props.rawObjectLock === false && props.rawObjectLockRetentionDays !== undefined) {
      throw new InfraConfigError(`invalid rawObjectLockRetentionDays: got ${props.rawObjectLockRetentionDays}; Object Lock is off (rawObjectLock: false): drop the retention or turn rawObjectLock on`);
    }
    const rawObjectLockDays = props.rawObjectLockRetentionDays ?? rawDefaults.objectLock.retentionDays;
    this.raw = new LakeBucket(this, 'Raw', {
      ...encrypted,
      bucketName: name('raw'),
      dataPrefixes: props.rawDataPrefixes,
      noncurrentVersionExpirationDays: props.rawNoncurrentVersionExpirationDays ?? 'never',
      objectLockRetentionDays: (props.rawObjectLock ?? rawDefaults.objectLock.enabled) ? rawObjectLockDays : undefined,
      protectVersions: true,
      breakGlassRoleArn: props.breakGlassRoleArn,
      archiveAccessTierDays: props.archiveAccessTierDays,
      deepArchiveAccessTierDays: props.deepArchiveAccessTierDays,
      eventBridge: true,
    });
    this.curated = new LakeBucket(this, 'Curated', { ...encrypted, bucketName: name('curated') });
    this.analytics = new LakeBucket(this, 'Analytics', { ...encrypted, bucketName: name('analytics') });
    this.athenaResults = new LakeBucket(this, 'AthenaResults', {
      ...encrypted,
      bucketName: name('athena-results'),
      expirationDays: props.athenaResultsExpirationDays ?? 30,
      intelligentTiering: false,
    });
    this.artefacts = new LakeBucket(this, 'Artefacts', { ...encrypted, bucketName: name('artefacts') });
    // S3 delivers the access logs of the lake's buckets only, not of any bucket of the account that names this one
    this.accessLogs.addToResourcePolicy({
      Sid: 'S3ServerAccessLogDelivery',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: `${this.accessLogs.bucketArn}/*`,
      Condition: {
        StringEquals: { 'aws:SourceAccount': env.accountId },
        ArnLike: { 'aws:SourceArn': [this.raw, this.curated, this.analytics, this.athenaResults, this.artefacts].map((b) => b.bucketArn) },
      },
    });
  }
}
