import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { Construct } from 'constructs';
import { AwsEnv } from '../common/aws-env';
import { LakeRole } from '../common/iam';
import { ILakeKey } from '../storage/lake-key';

export interface EmrRolesProps {
  /** Name prefix, e.g. `nfe-dev`. */
  readonly namePrefix: string;
  readonly key: ILakeKey;
  /**
   * Attach `AmazonEMRServicePolicy_v2` to the service role.
   * @default true - false only where the policy does not exist (moto's IAM lacks it)
   */
  readonly attachServicePolicy?: boolean;
}

/**
 * The EMR service role (AWS's scoped `AmazonEMRServicePolicy_v2`, which only touches resources
 * tagged `for-use-with-amazon-emr-managed-policies=true`) and the cluster nodes' role and instance
 * profile, which start with no permissions: grant them data access with the buckets' `grant*`.
 */
export class EmrRoles extends Construct {
  readonly serviceRole: LakeRole;
  readonly instanceRole: LakeRole;
  readonly instanceProfile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: EmrRolesProps) {
    super(scope, id);
    const env = AwsEnv.of(this);
    this.instanceRole = new LakeRole(this, 'InstanceRole', {
      roleName: `${props.namePrefix}-emr-instance`,
      assumedBy: ['ec2.amazonaws.com'],
      description: 'EMR cluster nodes: the Spark job reads raw and writes curated/analytics',
    });
    this.instanceProfile = new IamInstanceProfile(this, 'InstanceProfile', { name: `${props.namePrefix}-emr-instance`, role: this.instanceRole.roleName });

    this.serviceRole = new LakeRole(this, 'ServiceRole', {
      roleName: `${props.namePrefix}-emr-service`,
      assumedBy: ['elasticmapreduce.amazonaws.com'],
      // only EMR acting for this account's clusters (confused deputy), as the EMR service role documentation shows
      trustCondition: { StringEquals: { 'aws:SourceAccount': env.accountId }, ArnLike: { 'aws:SourceArn': env.arn('elasticmapreduce', '*') } },
      description: 'EMR service role (managed v2 policy, scoped by tag)',
      managedPolicyArns: (props.attachServicePolicy ?? true) ? ['arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2'] : undefined,
    });
    this.serviceRole.addToPolicy({
      Action: ['iam:PassRole'],
      Resource: [this.instanceRole.roleArn],
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
    // EBS and local-disk encryption: EMR creates grants on the key for the instances it launches
    this.serviceRole.addToPolicy({
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: [props.key.keyArn],
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    props.key.grantEncryptDecrypt(this.serviceRole);
    props.key.grantEncryptDecrypt(this.instanceRole);
  }
}
