/**
 * The Trino client against a stand-in speaking Trino's statement protocol: a statement Trino could
 * not schedule (its only node missed a heartbeat on a loaded machine) is submitted again; errors of
 * the statement itself are not.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { trinoQuery } from './client';

let server: Server;
let endpoint: string;
let answers: string[];
let posts = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    posts += req.method === 'POST' ? 1 : 0;
    const kind = answers.shift() ?? 'ok';
    const body =
      kind === 'ok'
        ? { columns: [{ name: 'n', type: 'bigint' }], data: [[1]], stats: { state: 'FINISHED', elapsedTimeMillis: 5 } }
        : { stats: { state: 'FAILED' }, error: { errorName: kind, message: `${kind} (stand-in)` } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  posts = 0;
});

it('submits a statement again while Trino has no node to schedule it on', async () => {
  answers = ['NO_NODES_AVAILABLE', 'NO_NODES_AVAILABLE', 'ok'];
  const result = await trinoQuery(endpoint, 'SELECT 1');
  expect(result.rows).toEqual([[1]]);
  expect(posts).toBe(3);
});

it('gives up on an unschedulable statement after its retry budget, and never retries a failing statement', async () => {
  answers = Array(10).fill('NO_NODES_AVAILABLE');
  await expect(trinoQuery(endpoint, 'SELECT 1', { unscheduledRetryMs: 1_500 })).rejects.toThrow(/NO_NODES_AVAILABLE/);
  expect(posts).toBeGreaterThanOrEqual(2);
  posts = 0;
  answers = ['TABLE_NOT_FOUND', 'ok'];
  await expect(trinoQuery(endpoint, 'SELECT * FROM nope')).rejects.toEqual(expect.objectContaining({ errorName: 'TABLE_NOT_FOUND' }));
  expect(posts).toBe(1);
});
