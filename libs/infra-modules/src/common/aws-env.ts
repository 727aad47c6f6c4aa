import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** Account, partition and region of the stack a construct lives in (one lookup per stack). */
export class AwsEnv extends Construct {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;

  static of(scope: Construct): AwsEnv {
    const stack = TerraformStack.of(scope);
    return (stack.node.tryFindChild('AwsEnv') as AwsEnv | undefined) ?? new AwsEnv(stack, 'AwsEnv');
  }

  private readonly caller: DataAwsCallerIdentity;
  private deployer?: DataAwsIamSessionContext;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.caller = new DataAwsCallerIdentity(this, 'Account');
    this.accountId = this.caller.accountId;
    this.partition = new DataAwsPartition(this, 'Partition').partition;
    this.region = new DataAwsRegion(this, 'Region').name;
  }

  /**
   * `aws:PrincipalArn` of whoever applies the stack: the role of an assumed-role session (with its path), else the
   * caller's ARN (an IAM user).
   */
  get deployerPrincipalArn(): string {
    this.deployer ??= new DataAwsIamSessionContext(this, 'Deployer', { arn: this.caller.arn });
    return this.deployer.issuerArn;
  }

  arn(service: string, resource: string, region = this.region): string {
    return `arn:${this.partition}:${service}:${region}:${this.accountId}:${resource}`;
  }
}
