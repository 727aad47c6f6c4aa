import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assumeRole, AwsCredentials, LocalAws } from '@nfe-lake/local-aws';

/** A deployed Lambda function as the runtime would run it: its role's STS session credentials and its environment. */
export interface DeployedFunction {
  readonly functionName: string;
  readonly roleArn: string;
  readonly env: Record<string, string>;
  readonly credentials: AwsCredentials;
}

/**
 * The Lambda functions a stack deployed, read from its local Terraform state (`<work>/terraform-state/<stack>.tfstate`,
 * the local environment's backend), each with its role's session credentials, assumed by the admin: what the Lambda
 * runtime would run it with.
 */
export async function deployedFunctions(aws: LocalAws, work: string, stack: string): Promise<DeployedFunction[]> {
  const stateFile = join(work, 'terraform-state', `${stack}.tfstate`);
  if (!existsSync(stateFile)) throw new Error(`no Terraform state ${stateFile}: apply the stack ${stack} first`);
  type Instance = { attributes: { function_name: string; role: string; environment?: { variables?: Record<string, string> }[] } };
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { resources: { type: string; instances: Instance[] }[] };
  const functions = state.resources.filter((r) => r.type === 'aws_lambda_function').flatMap((r) => r.instances.map((i) => i.attributes));
  return Promise.all(
    functions.map(async (fn) => ({
      functionName: fn.function_name,
      roleArn: fn.role,
      env: fn.environment?.[0]?.variables ?? {},
      credentials: await assumeRole(aws, fn.role, fn.function_name),
    })),
  );
}

/** SDK client settings of `aws` (endpoint, region) signing with a workload's `credentials` instead of the admin's. */
export function clientConfigAs(aws: LocalAws, credentials: AwsCredentials): LocalAws['clientConfig'] {
  return { ...aws.clientConfig, credentials };
}

/** A workload's credentials as the AWS SDKs read them from the environment (the admin's are replaced). */
export function credentialsEnv(credentials: AwsCredentials): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken ?? '' };
}
