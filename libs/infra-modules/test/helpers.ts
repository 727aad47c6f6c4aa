import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { LakeStorage } from '../src/storage/lake-storage';

/** Synthesises what `build` adds to a fresh stack (with validations), as parsed Terraform JSON. */
export function synthWith(build: (stack: TerraformStack) => void, context?: Record<string, unknown>): { json: string; tf: TerraformJson } {
  const app = Testing.app({ context });
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'sa-east-1' });
  build(stack);
  const json = Testing.synth(stack, true);
  return { json, tf: JSON.parse(json) };
}

/** Synthesised Terraform JSON is untyped data: tests read it like the JSON it is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfBlock = Record<string, any>;

export interface TerraformJson {
  resource: Record<string, Record<string, TfBlock>>;
  data?: Record<string, Record<string, TfBlock>>;
  output?: Record<string, TfBlock>;
}

/** `[type.name, prevent_destroy]` of every resource, `type.name` sorted. */
export function preventDestroyOf(tf: TerraformJson): [string, boolean][] {
  return Object.entries(tf.resource)
    .flatMap(([type, byName]) => Object.entries(byName).map(([name, r]): [string, boolean] => [`${type}.${name}`, r.lifecycle?.prevent_destroy === true]))
    .sort(([a], [b]) => a.localeCompare(b));
}

/** All resources of a type. */
export function resources(tf: TerraformJson, type: string): TfBlock[] {
  return Object.values(tf.resource[type] ?? {});
}

/** The IAM statements of every inline role policy, flattened. */
export function policyStatements(tf: TerraformJson, roleName?: string): { Action: string[]; Resource: string | string[]; Condition?: unknown; Effect: string }[] {
  const roles = Object.entries(tf.resource.aws_iam_role ?? {});
  return Object.values(tf.resource.aws_iam_role_policy ?? {})
    .filter((p) => !roleName || roles.some(([id, r]) => r.name === roleName && String(p.role).includes(`aws_iam_role.${id}.`)))
    .flatMap((p) => JSON.parse(String(p.policy)).Statement);
}

export function storageIn(scope: Construct, props: Partial<ConstructorParameters<typeof LakeStorage>[2]> = {}): LakeStorage {
  return new LakeStorage(scope, 'Storage', { namePrefix: 'nfe-test', ...props });
}

/** How the lake key of `storageIn` is referenced in the same stack. */
export const KEY_ARN = '${aws_kms_key.Storage_Key_BAA9457B.arn}';

