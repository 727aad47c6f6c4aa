import { AthenaClient, CreateNamedQueryCommand, CreateWorkGroupCommand, DeleteNamedQueryCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import {
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  GetColumnStatisticsForTableCommand,
  GetPartitionsCommand,
  GlueClient,
  UpdateColumnStatisticsForTableCommand,
} from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, ListBucketsCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { LocalAws, LocalAwsError, resetLocalAws, startLocalAws } from './moto';

describe('startLocalAws', () => {
  it('starts moto on a free port that answers real S3 calls, and resets state', async () => {
    const aws = await startLocalAws();
    try {
      const s3 = new S3Client(aws.clientConfig);
      await s3.send(new CreateBucketCommand({ Bucket: 'probe' }));
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['probe']);
      await aws.reset();
      expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      s3.destroy();
    } finally {
      await aws.stop();
    }
  });

  it('gives two servers separate state', async () => {
    const [a, b] = await Promise.all([startLocalAws(), startLocalAws()]);
    try {
      expect(a.port).not.toBe(b.port);
      const [s3a, s3b] = [new S3Client(a.clientConfig), new S3Client(b.clientConfig)];
      await s3a.send(new CreateBucketCommand({ Bucket: 'only-in-a' }));
      expect((await s3b.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      s3a.destroy();
      s3b.destroy();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('fails with a clear error when the python is missing', async () => {
    await expect(startLocalAws({ python: 'no-such-python' })).rejects.toThrow(LocalAwsError);
    await expect(startLocalAws({ python: 'no-such-python' })).rejects.toThrow(/cannot start no-such-python: .*LAKE_MOTO_PYTHON/);
  });

  describe('serves the lake patches over HTTP', () => {
    /** One server and one SDK client for `check`, both closed after it. */
    async function onMoto<C extends { destroy(): void }>(make: new (config: LocalAws['clientConfig']) => C, check: (client: C) => Promise<void>): Promise<void> {
      const aws = await startLocalAws();
      const client = new make(aws.clientConfig);
      try {
        await check(client);
      } finally {
        client.destroy();
        await aws.stop();
      }
    }

    it('S3 returns the EventBridge notification setting it stored', () =>
      onMoto(S3Client, async (s3) => {
        await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
        await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'lake', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
        expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'lake' }))).EventBridgeConfiguration).toEqual({});
      }));

    it('SQS returns the redrive policy as compact JSON', () =>
      onMoto(SQSClient, async (sqs) => {
        await sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
        const policy = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq', maxReceiveCount: 5 });
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { RedrivePolicy: policy } }));
        expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }))).Attributes?.RedrivePolicy).toBe(policy);
      }));

    it('Athena DeleteNamedQuery', () =>
      onMoto(AthenaClient, async (athena) => {
        await athena.send(new CreateWorkGroupCommand({ Name: 'lake', Configuration: {} }));
        const create = (name: string) => athena.send(new CreateNamedQueryCommand({ Name: name, Database: 'db', QueryString: 'SELECT 1', WorkGroup: 'lake' }));
        const [a, b] = [(await create('a')).NamedQueryId!, (await create('b')).NamedQueryId!];
        await athena.send(new DeleteNamedQueryCommand({ NamedQueryId: a }));
        expect((await athena.send(new ListNamedQueriesCommand({ WorkGroup: 'lake' }))).NamedQueryIds).toEqual([b]);
        await expect(athena.send(new DeleteNamedQueryCommand({ NamedQueryId: a }))).rejects.toMatchObject({ name: 'InvalidRequestException', message: `NamedQuery ${a} does not exist` });
      }));

    it('Glue GetPartitions with an empty expression, and column statistics (Trino uses both)', () =>
      onMoto(GlueClient, async (glue) => {
        await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'db' } }));
        await glue.send(new CreateTableCommand({ DatabaseName: 'db', TableInput: { Name: 't', PartitionKeys: [{ Name: 'dt', Type: 'date' }] } }));
        await glue.send(new CreatePartitionCommand({ DatabaseName: 'db', TableName: 't', PartitionInput: { Values: ['2026-01-01'], StorageDescriptor: { Location: 's3://b/t/dt=2026-01-01/' } } }));
        const partitions = await glue.send(new GetPartitionsCommand({ DatabaseName: 'db', TableName: 't', Expression: '' }));
        expect(partitions.Partitions?.map((p) => p.Values)).toEqual([['2026-01-01']]);
        // column statistics, which Trino writes on every CREATE TABLE and INSERT
        const statistics = { ColumnName: 'a', ColumnType: 'bigint', AnalyzedTime: new Date('2026-01-02T00:00:00Z'), StatisticsData: { Type: 'LONG' as const, LongColumnStatisticsData: { NumberOfNulls: 1, NumberOfDistinctValues: 2 } } };
        expect((await glue.send(new UpdateColumnStatisticsForTableCommand({ DatabaseName: 'db', TableName: 't', ColumnStatisticsList: [statistics] }))).Errors).toEqual([]);
        const read = await glue.send(new GetColumnStatisticsForTableCommand({ DatabaseName: 'db', TableName: 't', ColumnNames: ['a'] }));
        expect(read.ColumnStatisticsList?.map((c) => [c.ColumnName, c.StatisticsData?.LongColumnStatisticsData?.NumberOfNulls])).toEqual([['a', 1]]);
      }));
  });
});

describe('resetLocalAws', () => {
  /** A stand-in for moto's reset endpoint that answers after `delayMs`, as a loaded machine does. */
  async function slowReset(delayMs: number, status = 200): Promise<{ server: Server; endpoint: string }> {
    const server = createServer((req, res) => setTimeout(() => res.writeHead(req.url === '/moto-api/reset' ? status : 404).end(), delayMs));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('waits for a reset that takes longer than the start-up poll', async () => {
    const { server, endpoint } = await slowReset(2_500);
    try {
      await expect(resetLocalAws(endpoint)).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('fails naming the HTTP status when moto refuses the reset', async () => {
    const { server, endpoint } = await slowReset(0, 500);
    try {
      await expect(resetLocalAws(endpoint)).rejects.toThrow('moto reset failed: HTTP 500');
    } finally {
      server.close();
    }
  });
});
