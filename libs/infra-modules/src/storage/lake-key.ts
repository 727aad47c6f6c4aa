import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { AwsEnv } from '../common/aws-env';
import { IGrantable, PolicyStatement, policyDocument } from '../common/iam';
import { RemovalPolicy, applyRemovalPolicy } from '../common/removal-policy';
import { check, positiveInt } from '../common/validate';

export interface ILakeKey {
  readonly keyArn: string;
  /** Encrypt + decrypt (writers of KMS-encrypted data). */
  grantEncryptDecrypt(grantee: IGrantable): void;
  grantDecrypt(grantee: IGrantable): void;
}

/** A key someone else owns, by ARN (aliases are not accepted by IAM key grants). */
export interface LakeKeyAttributes {
  readonly keyArn: string;
}

const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;

/** Grants, the same for a key this stack creates and one it imports. */
abstract class LakeKeyBase extends Construct implements ILakeKey {
  abstract readonly keyArn: string;

  grantEncryptDecrypt(grantee: IGrantable): void {
    grantee.addToPolicy(encryptDecrypt(this.keyArn));
  }

  grantDecrypt(grantee: IGrantable): void {
    grantee.addToPolicy(decrypt(this.keyArn));
  }
}

export interface LakeKeyProps {
  /** Alias without `alias/`, e.g. `nfe-dev-lake`. */
  readonly aliasName: string;
  /** @default 30 - days a scheduled deletion waits (7-30) */
  readonly deletionWindowDays?: number;
  /**
   * `retain`: `terraform destroy` refuses to schedule the key's deletion (every object it encrypts would
   * become unreadable). `destroy` needs the app-wide opt-in (`LakeApp({ allowDataDestruction: true })`).
   * @default 'retain'
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The lake's customer managed KMS key: rotation on, key policy delegating to IAM in the account.
 * Services that encrypt on their own behalf (CloudWatch Logs) are added with `allowService`.
 */
export class LakeKey extends LakeKeyBase {
  /** A key this stack does not manage: grants on it, no resource (its key policy stays its owner's). */
  static fromKeyAttributes(scope: Construct, id: string, attrs: LakeKeyAttributes): ILakeKey {
    const keyArn = check('keyArn', attrs.keyArn, (a) => KEY_ARN.test(a), 'use the key ARN, arn:<partition>:kms:<region>:<account>:key/<key-id> (the lake stack output lake_key_arn)');
    class Import extends LakeKeyBase {
      readonly keyArn = keyArn;
    }
    return new Import(scope, id);
  }

  readonly resource: KmsKey;
  readonly keyArn: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: LakeKeyProps) {
    super(scope, id);
    const env = AwsEnv.of(this);
    const deletionWindowDays = check('deletionWindowDays', props.deletionWindowDays ?? 30, (d) => positiveInt(d) && d >= 7 && d <= 30, 'use 7 to 30 days');
    this.statements = [
      { Sid: 'AccountAdministersKeyViaIam', Principal: { AWS: `arn:${env.partition}:iam::${env.accountId}:root` }, Action: ['kms:*'], Resource: '*' },
    ];
    this.resource = new KmsKey(this, 'Resource', {
      description: `${props.aliasName}: data lake encryption key`,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
    this.keyArn = this.resource.arn;
    new KmsAlias(this, 'Alias', { name: `alias/${props.aliasName}`, targetKeyId: this.resource.keyId });
    applyRemovalPolicy(this, props.removalPolicy);
  }

  /** Lets CloudWatch Logs encrypt log groups whose names start with `logGroupPrefix`. */
  allowCloudWatchLogs(logGroupPrefix: string): void {
    const env = AwsEnv.of(this);
    this.statements.push({
      Sid: 'CloudWatchLogsEncryptsLakeLogGroups',
      Principal: { Service: `logs.${env.region}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': env.arn('logs', `log-group:${logGroupPrefix}*`) } },
    });
  }

  /** Lets AWS services of this account publish to topics the key encrypts (a data key per message). */
  allowServicesToPublishEncrypted(services: readonly string[]): void {
    const env = AwsEnv.of(this);
    this.statements.push({
      Sid: 'AccountServicesPublishEncrypted',
      Principal: { Service: [...services] },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': env.accountId } },
    });
  }
}

const decrypt = (keyArn: string): PolicyStatement => ({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: [keyArn] });
const encryptDecrypt = (keyArn: string): PolicyStatement => ({
  Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
  Resource: [keyArn],
});
