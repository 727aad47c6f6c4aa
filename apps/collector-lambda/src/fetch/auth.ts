import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AuthConfig, SecretRef } from '@nfe-lake/lake-core';

export interface SecretClients {
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
}

export class SecretError extends Error {
  constructor(ref: SecretRef, detail: string, options?: { cause?: unknown }) {
    super(`cannot read API secret from ${describeRef(ref)}: ${detail}`, options);
    this.name = 'SecretError';
  }
}

const describeRef = (ref: SecretRef) =>
  ref.from === 'ssm' ? `SSM parameter ${ref.parameterName}` : `Secrets Manager ${ref.secretId}${ref.jsonKey ? ` (key ${ref.jsonKey})` : ''}`;

async function readSecret(ref: SecretRef, clients: SecretClients): Promise<string> {
  let value: string | undefined;
  try {
    value =
      ref.from === 'ssm'
        ? (await clients.ssm.send(new GetParameterCommand({ Name: ref.parameterName, WithDecryption: true }))).Parameter?.Value
        : (await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: ref.secretId }))).SecretString;
  } catch (e) {
    throw new SecretError(ref, (e as Error).message, { cause: e });
  }
  if (!value) throw new SecretError(ref, 'the secret is empty or binary');
  if (ref.from === 'ssm' || !ref.jsonKey) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SecretError(ref, 'jsonKey is set but the secret is not JSON');
  }
  const field = (parsed as Record<string, unknown> | null)?.[ref.jsonKey];
  if (typeof field !== 'string' || !field) throw new SecretError(ref, `the secret JSON has no non-empty string "${ref.jsonKey}"`);
  return field;
}

/** Adds credentials to one request. */
export type Authorize = (url: URL, headers: Record<string, string>) => void;

/** Reads the secret once and returns the function that applies it to every request. */
export async function resolveAuth(auth: AuthConfig, clients: SecretClients): Promise<Authorize> {
  if (auth.type === 'none') return () => undefined;
  const secret = await readSecret(auth.secret, clients);
  if (auth.type === 'bearer') return (_url, headers) => void (headers.authorization = `Bearer ${secret}`);
  if (auth.in === 'header') return (_url, headers) => void (headers[auth.name.toLowerCase()] = secret);
  return (url) => url.searchParams.set(auth.name, secret);
}
