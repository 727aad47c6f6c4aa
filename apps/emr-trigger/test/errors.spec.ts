/** Error branches with an in-process HTTP handler: the real SDK client (serialisation, retry
 * strategy, error parsing) against canned EMR responses. */
import { Readable } from 'node:stream';
import { DescribeClusterCommand, EMRClient } from '@aws-sdk/client-emr';
import { loadConfig, TriggerError } from '../src';
import { callEmr } from '../src/emr-call';

function emrAnswering(responses: { status: number; body: object }[]) {
  const calls: string[] = [];
  const client = new EMRClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        calls.push(request.headers['x-amz-target']);
        const next = responses[Math.min(calls.length - 1, responses.length - 1)];
        return {
          response: {
            statusCode: next.status,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(JSON.stringify(next.body))]),
          },
        };
      },
    },
  });
  return { client, calls };
}

const THROTTLED = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
const CLUSTER = { status: 200, body: { Cluster: { Id: 'j-1', Status: { State: 'WAITING' } } } };

describe('EMR calls', () => {
  it('retries throttling with backoff and succeeds when EMR recovers', async () => {
    const { client, calls } = emrAnswering([THROTTLED, THROTTLED, CLUSTER]);
    const out = await callEmr('DescribeCluster', () => client.send(new DescribeClusterCommand({ ClusterId: 'j-1' })), 's3://a/spec.json');
    expect(out.Cluster?.Status?.State).toBe('WAITING');
    expect(calls).toEqual(Array(3).fill('ElasticMapReduce.DescribeCluster'));
    client.destroy();
  });

  it('gives a clear error when throttling outlasts the retries', async () => {
    const { client, calls } = emrAnswering([THROTTLED]);
    const error = await callEmr('DescribeCluster', () => client.send(new DescribeClusterCommand({ ClusterId: 'j-1' })), 's3://a/spec.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TriggerError);
    expect((error as Error).message).toBe('EMR DescribeCluster throttled after 3 attempt(s); raise EMR_MAX_ATTEMPTS or retry later');
    expect(calls).toHaveLength(3);
    client.destroy();
  });

  it('names the launch spec when EMR rejects the request', async () => {
    const { client, calls } = emrAnswering([{ status: 400, body: { __type: 'ValidationException', message: 'Instance type m7g.nope is not supported' } }]);
    await expect(callEmr('RunJobFlow', () => client.send(new DescribeClusterCommand({ ClusterId: 'j-1' })), 's3://a/spec.json')).rejects.toThrow(
      'EMR rejected RunJobFlow: Instance type m7g.nope is not supported (check the launch spec s3://a/spec.json)',
    );
    expect(calls).toHaveLength(1);
    client.destroy();
  });
});

describe('loadConfig', () => {
  const env = { LAUNCH_SPEC_URI: 's3://artefacts/emr/spec.json', RAW_BUCKET: 'raw' };

  it('reads the environment with defaults', () => {
    expect(loadConfig(env)).toEqual({ launchSpecUri: env.LAUNCH_SPEC_URI, rawBucket: 'raw', maxManifestsPerRun: 24, emrMaxAttempts: 5 });
    expect(loadConfig({ ...env, MAX_MANIFESTS_PER_RUN: '3', EMR_MAX_ATTEMPTS: '8' })).toMatchObject({ maxManifestsPerRun: 3, emrMaxAttempts: 8 });
  });

  it.each([
    [{ RAW_BUCKET: 'raw' }, 'env LAUNCH_SPEC_URI="": expected s3://<bucket>/<key> of the EMR launch spec'],
    [{ ...env, LAUNCH_SPEC_URI: 'https://x/spec.json' }, 'env LAUNCH_SPEC_URI="https://x/spec.json"'],
    [{ LAUNCH_SPEC_URI: env.LAUNCH_SPEC_URI }, 'env RAW_BUCKET is not set'],
    [{ ...env, MAX_MANIFESTS_PER_RUN: '0' }, 'env MAX_MANIFESTS_PER_RUN="0": expected a positive integer'],
    [{ ...env, EMR_MAX_ATTEMPTS: 'many' }, 'env EMR_MAX_ATTEMPTS="many": expected a positive integer'],
  ])('rejects %j', (bad, message) => {
    expect(() => loadConfig(bad)).toThrow(message);
  });
});
