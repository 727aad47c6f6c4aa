import { Construct } from 'constructs';
import { AwsEnv } from '../common/aws-env';
import { RemovalPolicy } from '../common/removal-policy';
import { LakeBucket } from './lake-bucket';
import { ILakeKey, LakeKey } from './lake-key';

export interface LakeStorageProps {
  /** Prefix of every bucket name, e.g. `nfe-dev`; the account id is appended for global uniqueness. */
  readonly namePrefix: string;
  /** @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
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
    this.raw = new LakeBucket(this, 'Raw', {
      ...encrypted,
      bucketName: name('raw'),
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
