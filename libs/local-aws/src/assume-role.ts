import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsCredentials, LocalAws, LocalAwsError } from './moto';

/**
 * Credentials of `roleArn`, assumed through STS on moto with the server's own (admin) credentials.
 * moto authorizes AssumeRole against the caller's identity policy only (it does not read the role's
 * trust policy for STS calls), so the product's trust policies (Lambda, EMR, EC2 service principals)
 * stay as they are and the harness can still act as the workload.
 */
export async function assumeRole(aws: Pick<LocalAws, 'clientConfig'>, roleArn: string, sessionName: string): Promise<AwsCredentials> {
  const sts = new STSClient(aws.clientConfig);
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new LocalAwsError(`AssumeRole ${roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}
