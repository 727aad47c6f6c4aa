import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { check } from './validate';

/** One IAM policy statement (the JSON shape AWS expects). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[] | string;
  readonly Principal?: Record<string, unknown>;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Anything permissions can be granted to (a role). */
export interface IGrantable {
  addToPolicy(statement: PolicyStatement): void;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) });
}

export function assumeRolePolicy(services: readonly string[], condition?: PolicyStatement['Condition']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: services.length === 1 ? services[0] : services }, ...(condition ? { Condition: condition } : {}) }],
  });
}

export interface LakeRoleProps {
  readonly roleName: string;
  /** Service principals allowed to assume the role, e.g. `lambda.amazonaws.com`. */
  readonly assumedBy: readonly string[];
  /**
   * Conditions on the trust statement, e.g. `aws:SourceAccount` against the confused deputy, for
   * services that set it when they assume the role. @default - none
   */
  readonly trustCondition?: PolicyStatement['Condition'];
  readonly description: string;
  /** @default - no managed policies */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * An IAM role whose inline policy is the union of what `grant*` helpers added: permissions
 * accumulate at construction time and render once, at synth.
 */
export class LakeRole extends Construct implements IGrantable {
  readonly resource: IamRole;
  readonly policy: IamRolePolicy;
  readonly roleArn: string;
  readonly roleName: string;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: LakeRoleProps) {
    super(scope, id);
    const roleName = check('roleName', props.roleName, (n) => n.length <= 64, 'IAM role names have at most 64 characters: shorten the name prefix or source name');
    this.resource = new IamRole(this, 'Resource', {
      name: roleName,
      description: props.description,
      assumeRolePolicy: assumeRolePolicy(props.assumedBy, props.trustCondition),
      managedPolicyArns: props.managedPolicyArns ? [...props.managedPolicyArns] : undefined,
    });
    this.roleArn = this.resource.arn;
    this.roleName = this.resource.name;
    this.policy = new IamRolePolicy(this, 'Policy', {
      name: 'least-privilege',
      role: this.resource.name,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
    this.node.addValidation({
      validate: () => (this.statements.length ? [] : [`role ${props.roleName} has no permissions: grant it something or remove it`]),
    });
  }

  addToPolicy(statement: PolicyStatement): void {
    const text = JSON.stringify(statement);
    if (!this.statements.some((s) => JSON.stringify(s) === text)) this.statements.push(statement);
  }
}
