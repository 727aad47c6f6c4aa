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
  /** @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
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
