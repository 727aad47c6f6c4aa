import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { checkpointKey } from '@nfe-lake/lake-core';
import { checkpointSchema } from '../src/checkpoint/state';
import { SecretError, resolveAuth } from '../src/fetch/auth';
import { SAFETY_MS } from '../src/run/budget';
import { context, demoSource, FIRST_WINDOW_TICK, Lake, sqsEvent, startWorld, World } from './harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  const { secretsManager, ssm } = world.secrets;
  await secretsManager.send(new CreateSecretCommand({ Name: 'demo/api', SecretString: JSON.stringify({ apiKey: 'k3y', other: 'x' }) }));
  await secretsManager.send(new CreateSecretCommand({ Name: 'demo/token', SecretString: 'k3y' }));
  await secretsManager.send(new CreateSecretCommand({ Name: 'demo/rotating', SecretString: 'nope' }));
  await ssm.send(new PutParameterCommand({ Name: '/demo/api-key', Value: 'k3y', Type: 'SecureString' }));
});
afterAll(() => world.close());

const RUN = { source: 'demo', dataset: 'nfe_invoice', ingestDate: '2026-01-01', runId: '20260101T000000Z-20260102T000000Z' };
const SPARSE = { generator: { spacingSeconds: 600 }, apiKey: 'k3y' };

describe('API credentials from Secrets Manager and SSM', () => {
  it.each([
    ['an API key header from a Secrets Manager JSON key', { type: 'api_key', in: 'header', name: 'X-Api-Key', secret: { from: 'secretsmanager', secretId: 'demo/api', jsonKey: 'apiKey' } }],
    ['a bearer token from a plain secret', { type: 'bearer', secret: { from: 'secretsmanager', secretId: 'demo/token' } }],
    ['an API key query parameter from an SSM SecureString', { type: 'api_key', in: 'query', name: 'api_key', secret: { from: 'ssm', parameterName: '/demo/api-key' } }],
  ] as const)('authenticates with %s', async (_name, auth) => {
    const lake = await Lake.create(world, SPARSE);
    try {
      const handler = lake.handler(demoSource(lake.api, 'link_header', { auth }));
      // A budget for one page: the run hands off with the next link in its checkpoint. Link
      // pagination echoes the query, key included: the checkpoint must not keep it.
      await handler(FIRST_WINDOW_TICK, context(SAFETY_MS + 200));
      const midway = checkpointSchema.parse(JSON.parse((await lake.object(checkpointKey(RUN))).toString()));
      expect(midway.page.token).toMatch(/\/link_header\/invoices\?.*page=2/);
      expect(JSON.stringify(midway)).not.toContain('k3y');
      await lake.collect(handler, { tick: FIRST_WINDOW_TICK });
      const [manifest] = await lake.expectExactlyOnce();
      expect(manifest.records).toBe(144);
      expect((await lake.object(checkpointKey(RUN))).toString()).not.toContain('k3y');
    } finally {
      await lake.close();
    }
  });

  it('parks the run in the DLQ when the API refuses the credentials, and reads the rotated secret on redrive', async () => {
    const lake = await Lake.create(world, SPARSE);
    try {
      const auth = { type: 'bearer', secret: { from: 'secretsmanager', secretId: 'demo/rotating' } } as const;
      const handler = lake.handler(demoSource(lake.api, 'page_number', { auth }));
      await handler(FIRST_WINDOW_TICK, context(60_000));
      const [dead] = await lake.nextMessages(lake.dlqUrl);
      expect(dead.MessageAttributes!.reason.StringValue).toMatch(/^SourceError: HTTP 401/);
      // Rotate the secret; the same warm container must not keep the refused one.
      await world.secrets.secretsManager.send(new PutSecretValueCommand({ SecretId: 'demo/rotating', SecretString: 'k3y' }));
      const redriven = await handler(sqsEvent([dead]), context(60_000));
      expect(redriven.completed).toHaveLength(1);
      await lake.expectExactlyOnce();
    } finally {
      await lake.close();
    }
  });

  it('parks the run in the DLQ, naming the secret, when the secret cannot be read', async () => {
    const lake = await Lake.create(world, SPARSE);
    try {
      const auth = { type: 'api_key', in: 'header', name: 'x-api-key', secret: { from: 'ssm', parameterName: '/demo/missing' } } as const;
      await lake.handler(demoSource(lake.api, 'page_number', { auth }))(FIRST_WINDOW_TICK, context(60_000));
      const [dead] = await lake.nextMessages(lake.dlqUrl);
      expect(dead.MessageAttributes!.reason.StringValue).toMatch(/^SecretError: cannot read API secret from SSM parameter \/demo\/missing/);
      expect(lake.api.requests).toBe(0);
    } finally {
      await lake.close();
    }
  });

  it('rejects a jsonKey the secret does not have', async () => {
    const ref = { from: 'secretsmanager', secretId: 'demo/api', jsonKey: 'missing' } as const;
    await expect(resolveAuth({ type: 'bearer', secret: ref }, world.secrets)).rejects.toThrow(SecretError);
    await expect(resolveAuth({ type: 'bearer', secret: { ...ref, secretId: 'demo/token' } }, world.secrets)).rejects.toThrow(/not JSON/);
  });
});
