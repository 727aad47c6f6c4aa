/**
 * Trino for real against moto over HTTP: fetched into the project cache on first use (Maven Central),
 * started on a free port, reading a Glue table over S3 the way Athena does.
 */
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { LocalAws, startLocalAws } from '../moto';
import { TrinoQueryError } from './client';
import { LocalTrino, startTrino } from './server';

let aws: LocalAws;
let trino: LocalTrino;
let glue: GlueClient;
let s3: S3Client;

beforeAll(async () => {
  aws = await startLocalAws();
  glue = new GlueClient(aws.clientConfig);
  s3 = new S3Client(aws.clientConfig);
  trino = await startTrino({ aws, log: (line) => console.log(`[trino] ${line}`) });
}, 1_800_000);

afterAll(async () => {
  await trino?.stop();
  glue?.destroy();
  s3?.destroy();
  await aws?.stop();
}, 120_000);

/** Gzip NDJSON objects under `<prefix>day=<d>/` and a JSON table over them, partitioned by projection. */
async function jsonTable(name: string, days: Record<string, object[]>, template: string) {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  for (const [day, records] of Object.entries(days)) {
    const body = gzipSync(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await s3.send(new PutObjectCommand({ Bucket: name, Key: `events/day=${day}/part-000000.jsonl.gz`, Body: body }));
  }
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'probe',
      TableInput: {
        Name: name,
        TableType: 'EXTERNAL_TABLE',
        Parameters: {
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': '2026-01-01,2026-01-31',
          'storage.location.template': template.replace('BUCKET', name),
        },
        PartitionKeys: [{ Name: 'day', Type: 'string' }],
        StorageDescriptor: {
          Location: `s3://${name}/events/`,
          Columns: [
            { Name: 'id', Type: 'string' },
            { Name: 'amount', Type: 'decimal(15,2)' },
          ],
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    }),
  );
}

describe('startTrino', () => {
  beforeAll(async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'probe' } }));
    const days = { '2026-01-02': [{ id: 'a', amount: 1.25 }, { id: 'b', amount: 2.5 }], '2026-01-03': [{ id: 'c', amount: 10 }] };
    await jsonTable('events', days, 's3://BUCKET/events/day=${day}/');
    await jsonTable('misplaced', days, 's3://BUCKET/elsewhere/day=${day}/');
  }, 120_000);

  it('answers over HTTP on a loopback port with a process of its own', () => {
    expect(trino.endpoint).toBe(`http://127.0.0.1:${trino.port}`);
    expect(trino.pid).toBeGreaterThan(0);
    expect(() => process.kill(trino.pid, 0)).not.toThrow();
  });

  it('reads a Glue table over moto S3 with partition projection: rows, Trino types and bytes read', async () => {
    const result = await trino.query('SELECT day, count(*) AS n, sum(amount) AS total FROM events GROUP BY day ORDER BY day', { schema: 'probe' });
    expect(result.columns).toEqual([
      { name: 'day', type: 'varchar' },
      { name: 'n', type: 'bigint' },
      { name: 'total', type: 'decimal(38, 2)' },
    ]);
    expect(result.rows).toEqual([
      ['2026-01-02', 2, '3.75'],
      ['2026-01-03', 1, '10.00'],
    ]);
    expect(result.stats.physicalInputBytes).toBeGreaterThan(0);
    expect(result.stats.processedRows).toBe(3);
  }, 300_000);

  it('reads nothing where the location template does not match the objects', async () => {
    expect((await trino.query('SELECT count(*) FROM misplaced', { schema: 'probe' })).rows).toEqual([[0]]);
  }, 300_000);

  it("fails a bad query with Trino's error name, message and the SQL", async () => {
    await expect(trino.query('SELECT * FROM no_such_table', { schema: 'probe' })).rejects.toMatchObject({
      errorName: 'TABLE_NOT_FOUND',
      message: expect.stringMatching(/^trino: TABLE_NOT_FOUND: .*no_such_table.*\n {2}in: SELECT \* FROM no_such_table$/s),
    });
  }, 300_000);

  it('reads a Glue table with table_type=DELTA through the delta catalog, found by its SerDe path', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'curated' }));
    // Trino's delta catalog writes a Delta table (log + Parquet) the way the job's Delta writer would
    await trino.query("CREATE TABLE delta.probe.written (id varchar, dt date) WITH (location = 's3://curated/orders/', partitioned_by = ARRAY['dt'])");
    await trino.query("INSERT INTO delta.probe.written VALUES ('a', DATE '2026-01-02'), ('b', DATE '2026-01-03')");
    // the shape LakeDatabase.addDeltaTable registers
    const deltaTable = (name: string, serdeParameters: Record<string, string>) =>
      glue.send(
        new CreateTableCommand({
          DatabaseName: 'probe',
          TableInput: {
            Name: name,
            TableType: 'EXTERNAL_TABLE',
            Parameters: { EXTERNAL: 'TRUE', table_type: 'DELTA', classification: 'delta', 'spark.sql.sources.provider': 'delta' },
            StorageDescriptor: {
              Location: 's3://curated/orders/',
              Columns: [{ Name: 'id', Type: 'string' }, { Name: 'dt', Type: 'date' }],
              SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1', ...serdeParameters } },
            },
          },
        }),
      );
    await deltaTable('orders', { path: 's3://curated/orders/' });
    await deltaTable('orders_without_path', {});
    // unqualified, in the hive catalog: redirected to delta as Athena does
    expect((await trino.query('SELECT id, dt FROM orders ORDER BY id', { schema: 'probe' })).rows).toEqual([
      ['a', '2026-01-02'],
      ['b', '2026-01-03'],
    ]);
    await expect(trino.query('SELECT id FROM orders_without_path', { schema: 'probe' })).rejects.toThrow(TrinoQueryError);
  }, 600_000);

  it('stops by its PID', async () => {
    const other = await startTrino({ aws });
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
  }, 600_000);
});
