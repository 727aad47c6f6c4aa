import { RemovalPolicy } from '../common/removal-policy';
import { ILakeKey } from './lake-key';
import type { LakeBucket } from './lake-bucket';

export interface LakeBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /**
   * Default encryption key (SSE-KMS with bucket keys).
   * @default - SSE-S3; only for the server access logs bucket, which S3 log delivery cannot write with SSE-KMS
   */
  readonly key?: ILakeKey;
  /** Server access logs go here: a bucket of this stack, whose policy admits S3 log delivery. @default - no server access logs (only the access logs bucket itself) */
  readonly accessLogsBucket?: LakeBucket;
  /**
   * Non-current object versions (under `dataPrefixes`) expire after this many days; `'never'` keeps them.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number | 'never';
  /**
   * Key prefixes that hold the bucket's data, as opposed to its bookkeeping (e.g. raw's `_manifests/`, `_state/`,
   * `_control/`): the Intelligent-Tiering transition, the archive tiers and the noncurrent-version expiry apply under
   * these only, one lifecycle rule (and tiering configuration) each.
   * @default - every object
   */
  readonly dataPrefixes?: readonly string[];
  /**
   * S3 Object Lock in GOVERNANCE mode with this default retention: each new object version cannot be deleted, nor its
   * retention shortened, for this many days without `s3:BypassGovernanceRetention`. S3 enables Object Lock only when
   * it creates a bucket: setting this on an existing bucket makes Terraform replace it (a retained bucket refuses).
   * @default - no Object Lock
   */
  readonly objectLockRetentionDays?: number;
  /**
   * Bucket-policy denies for every principal but `breakGlassRoleArn`: `s3:DeleteObjectVersion` and
   * `s3:BypassGovernanceRetention` on objects; `s3:PutLifecycleConfiguration`, `s3:PutBucketVersioning` and
   * `s3:PutBucketObjectLockConfiguration` on the bucket, which Terraform's caller (the deployer, `aws:PrincipalArn`
   * of the session that applies) may also do, since it applies those settings. With `forceDestroy` the deployer may
   * delete versions too (emptying the bucket on destroy).
   * @default false
   */
  readonly protectVersions?: boolean;
  /**
   * With `protectVersions`: the role exempt from its denies, e.g. `arn:aws:iam::111122223333:role/lake-break-glass`.
   * @default - none: only a change of the bucket policy lets anyone delete object versions
   */
  readonly breakGlassRoleArn?: string;
  /** @default 7 */
  readonly abortIncompleteMultipartDays?: number;
  /** @default - current versions never expire */
  readonly expirationDays?: number;
  /**
   * Move objects to S3 Intelligent-Tiering (frequent/infrequent/archive-instant tiers, all readable
   * by Athena and Spark without a restore).
   * @default true
   */
  readonly intelligentTiering?: boolean;
  /**
   * Opt-in Intelligent-Tiering Archive Access tier after this many days without access. Archived
   * objects fail Athena/Spark reads until restored: use only for rarely re-read raw data.
   * @default - off
   */
  readonly archiveAccessTierDays?: number;
  /** Opt-in Deep Archive Access tier (same caveat). @default - off */
  readonly deepArchiveAccessTierDays?: number;
  /**
   * Deny every request not made over TLS.
   * @default true
   */
  readonly enforceTls?: boolean;
  /**
   * With a key: deny uploads that name another KMS key or SSE-S3 (uploads naming none get the
   * default encryption).
   * @default true
   */
  readonly enforceLakeKey?: boolean;
  /** Publish object events to EventBridge (e.g. for manifest-driven processing). @default false */
  readonly eventBridge?: boolean;
  /**
   * `retain`: `terraform destroy` refuses to delete the bucket or any of its settings (policy, public access
   * block, encryption, versioning, lifecycle, tiering, logging). `destroy` needs the app-wide opt-in
   * (`LakeApp({ allowDataDestruction: true })`).
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Let `terraform destroy` delete a non-empty bucket. Never in production; needs `removalPolicy: 'destroy'`. @default false */
  readonly forceDestroy?: boolean;
}
