import { getDenialReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { DescribeClusterCommand, EMRClient } from '@aws-sdk/client-emr';
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, GetResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalAws } from '../moto';
import { RecordedCall } from './recorder';
import { AuthorizationRequest, authorizationRequests, IamEvaluationError, ResourceLookups } from './requests';

type Policy = { Version?: string; Statement: unknown };

/** What the evaluator needs of a workload: its role (as deployed), the session it ran as, and its calls. */
export interface WorkloadCalls {
  /** Named in every failure, e.g. `collector`. */
  readonly workload: string;
  readonly roleArn: string;
  readonly sessionName: string;
  /** The session's access key: every call must be signed with it. */
  readonly accessKeyId: string;
  readonly calls: readonly RecordedCall[];
}

export interface Decision {
  readonly request: AuthorizationRequest;
  /** iam-simulate's result; `undefined` for requests moto authorized itself (not re-evaluated). */
  readonly result?: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** Why a request was denied, from the decisive policies. */
  readonly reason?: string;
}

export interface Evaluation {
  readonly workload: string;
  readonly decisions: readonly Decision[];
}

/**
 * The workload's calls judged as AWS would: each authorization moto does not perform itself (see
 * `AuthorizationRequest.enforcedByMoto`) is simulated by iam-simulate against the role's identity
 * policies as deployed (read back from IAM) and, where AWS applies one, the resource's policy (the KMS
 * key policy, a secret's resource policy). The principal is the role's STS session, as on AWS.
 */
export async function evaluateWorkloadCalls(aws: Pick<LocalAws, 'clientConfig' | 'region'>, workload: WorkloadCalls): Promise<Evaluation> {
  const foreign = workload.calls.filter((c) => c.accessKeyId !== workload.accessKeyId);
  if (foreign.length) {
    const c = foreign[0];
    throw new IamEvaluationError(
      `invalid calls of ${workload.workload}: got ${c.client}.${c.command} signed with access key '${c.accessKeyId}', not its role session's '${workload.accessKeyId}'; run the workload with its role's credentials only`,
    );
  }
  const accountId = workload.roleArn.split(':')[4];
  const roleName = workload.roleArn.split('/').pop()!;
  const clients = {
    iam: new IAMClient(aws.clientConfig),
    kms: new KMSClient(aws.clientConfig),
    sqs: new SQSClient(aws.clientConfig),
    secrets: new SecretsManagerClient(aws.clientConfig),
    emr: new EMRClient(aws.clientConfig),
  };
  try {
    const facts = lookups(clients, aws.region, accountId);
    const requests = (await Promise.all(workload.calls.map((c) => authorizationRequests(c, facts)))).flat();
    const identityPolicies = await rolePolicies(clients.iam, roleName);
    const resourcePolicies = new Map<string, Promise<Policy | undefined>>();
    const resourcePolicy = (ref: NonNullable<AuthorizationRequest['resourcePolicy']>) => {
      if (!resourcePolicies.has(ref.arn)) resourcePolicies.set(ref.arn, readResourcePolicy(clients, ref));
      return resourcePolicies.get(ref.arn)!;
    };
    const principal = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${workload.sessionName}`;
    const decisions: Decision[] = [];
    for (const request of requests) {
      if (request.enforcedByMoto) {
        decisions.push({ request });
        continue;
      }
      const simulation: Simulation = {
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId },
          contextVariables: {
            'aws:PrincipalArn': workload.roleArn,
            'aws:PrincipalAccount': accountId,
            'aws:PrincipalType': 'AssumedRole',
            'aws:RequestedRegion': aws.region,
            'aws:SecureTransport': 'true',
            ...request.context,
          },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy ? await resourcePolicy(request.resourcePolicy) : undefined,
      };
      decisions.push(await decide(workload.workload, request, simulation));
    }
    return { workload: workload.workload, decisions };
  } finally {
    Object.values(clients).forEach((c) => c.destroy());
  }
}

async function decide(workload: string, request: AuthorizationRequest, simulation: Simulation): Promise<Decision> {
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new IamEvaluationError(
      `cannot evaluate ${workload}'s ${request.action} on ${request.resource} (${request.call}): iam-simulate refused the request: ${response.errors.message} ${JSON.stringify(response.errors)}`,
    );
  }
  const analyses = response.resultType === 'single' ? [response.result.analysis] : response.results.map((r) => r.analysis);
  if (response.overallResult === 'Allowed') return { request, result: 'Allowed' };
  const reasons = analyses.flatMap((a) => getDenialReasons(a)).map((d) =>
    d.denialType === 'Explicit'
      ? `explicit deny in the ${policyName(d.policyType)} ${d.policyIdentifier ?? ''} statement ${d.statementId ?? `#${d.statementIndex}`}`.replace(/\s+/g, ' ')
      : `no statement of the ${policyName(d.policyType)}${d.identifier ? ` ${d.identifier}` : ''} allows it`,
  );
  return { request, result: response.overallResult, reason: [...new Set(reasons)].join('; ') || response.overallResult };
}

const policyName = (type: string) => (({ identity: 'identity policies', resource: 'resource policy' }) as Record<string, string>)[type] ?? `${type} policies`;

/** Fails when any request was denied, naming the workload, the action, the resource, the call and the reason. */
export function assertAllowed(evaluation: Evaluation): void {
  const denied = evaluation.decisions.filter((d) => d.result && d.result !== 'Allowed');
  if (!denied.length) return;
  const lines = denied.map(
    (d) => `  ${d.request.action} on ${d.request.resource} (${d.request.call}${contextText(d.request.context)}): ${d.result}: ${d.reason}`,
  );
  throw new IamEvaluationError(`${evaluation.workload}: ${denied.length} request(s) AWS would deny:\n${lines.join('\n')}`);
}

const contextText = (context: AuthorizationRequest['context']) => {
  const entries = Object.entries(context);
  return entries.length ? `; ${entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`).join(', ')}` : '';
};

/** The role's inline and attached policies, as IAM holds them (what Terraform applied). */
async function rolePolicies(iam: IAMClient, RoleName: string): Promise<Simulation['identityPolicies']> {
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [];
  const policies: Simulation['identityPolicies'] = [];
  for (const PolicyName of inline) {
    const doc = (await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument!;
    policies.push({ name: PolicyName, policy: JSON.parse(decodeURIComponent(doc)) });
  }
  for (const { PolicyArn } of attached) {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
    const doc = (await iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy!.DefaultVersionId }))).PolicyVersion!.Document!;
    policies.push({ name: PolicyArn!, policy: JSON.parse(decodeURIComponent(doc)) });
  }
  return policies;
}

type Clients = { iam: IAMClient; kms: KMSClient; sqs: SQSClient; secrets: SecretsManagerClient; emr: EMRClient };

async function readResourcePolicy(clients: Clients, ref: NonNullable<AuthorizationRequest['resourcePolicy']>): Promise<Policy | undefined> {
  if (ref.kind === 'kms-key') {
    const { Policy } = await clients.kms.send(new GetKeyPolicyCommand({ KeyId: ref.arn, PolicyName: 'default' }));
    if (!Policy) throw new IamEvaluationError(`invalid key ${ref.arn}: got no key policy; every KMS key has one`);
    return JSON.parse(Policy) as Policy;
  }
  const { ResourcePolicy } = await clients.secrets.send(new GetResourcePolicyCommand({ SecretId: ref.arn }));
  return ResourcePolicy ? (JSON.parse(ResourcePolicy) as Policy) : undefined;
}

function lookups(clients: Clients, region: string, accountId: string): ResourceLookups {
  const memo = <T>(f: (id: string) => Promise<T>) => {
    const seen = new Map<string, Promise<T>>();
    return (id: string) => {
      if (!seen.has(id)) seen.set(id, f(id));
      return seen.get(id)!;
    };
  };
  const keyArn = memo(async (KeyId) => {
    const arn = (await clients.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.Arn;
    if (!arn) throw new IamEvaluationError(`invalid KMS key: got '${KeyId}', which KMS does not describe`);
    return arn;
  });
  return {
    region,
    accountId,
    keyArn,
    queue: memo(async (QueueUrl) => {
      const attributes = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'KmsMasterKeyId'] }))).Attributes ?? {};
      return { arn: attributes.QueueArn!, keyArn: attributes.KmsMasterKeyId ? await keyArn(attributes.KmsMasterKeyId) : undefined };
    }),
    secret: memo(async (SecretId) => {
      const secret = await clients.secrets.send(new DescribeSecretCommand({ SecretId }));
      // without a KmsKeyId Secrets Manager uses aws/secretsmanager, whose key policy lets the account's principals use it via the service
      return { arn: secret.ARN!, keyArn: secret.KmsKeyId ? await keyArn(secret.KmsKeyId) : undefined };
    }),
    instanceProfileRole: memo(async (InstanceProfileName) => {
      const role = (await clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName }))).InstanceProfile?.Roles?.[0]?.Arn;
      if (!role) throw new IamEvaluationError(`invalid instance profile: got '${InstanceProfileName}', which holds no role`);
      return role;
    }),
    clusterTags: memo(async (ClusterId) => {
      const tags = (await clients.emr.send(new DescribeClusterCommand({ ClusterId }))).Cluster?.Tags ?? [];
      return Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? '']));
    }),
  };
}
