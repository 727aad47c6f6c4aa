import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoSource, FIRST_WINDOW_TICK, Lake, startWorld, World } from './harness';

let world: World;
let dir: string;
beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'collector-bundle-'));
  // The same build script as the `bundle` target, into a scratch directory.
  execFileSync(process.execPath, [join(__dirname, '..', 'bundle.mjs'), join(dir, 'bundle')], { stdio: 'pipe' });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await world.close();
});

/** Invokes the bundle's handler in a fresh Node process, as the Lambda runtime would (async: the demo API lives in this process). */
async function invoke(env: Record<string, string>, event: unknown): Promise<{ ok: boolean; value: unknown }> {
  const script = `
    const { handler } = require(${JSON.stringify(join(dir, 'bundle', 'index.js'))});
    const deadline = Date.now() + 60000;
    handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: 'bundle-test' })
      .then((r) => console.log(JSON.stringify({ ok: true, value: r })), (e) => console.log(JSON.stringify({ ok: false, value: e.message })));`;
  const { PATH, HOME } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { PATH, HOME, POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', ...env } });
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

describe('the Lambda bundle', () => {
  it('is one CommonJS file that runs a window from its environment alone', async () => {
    expect(statSync(join(dir, 'bundle', 'index.js')).size).toBeLessThan(1024 * 1024);
    const lake = await Lake.create(world, { generator: { spacingSeconds: 900 } });
    try {
      const result = await invoke(
        {
          ...world.aws.env,
          RAW_BUCKET: lake.bucket,
          CONTINUATION_QUEUE_URL: lake.queueUrl,
          DEAD_LETTER_QUEUE_URL: lake.dlqUrl,
          SOURCE_CONFIG: JSON.stringify(demoSource(lake.api, 'offset')),
          CONTRACT_URI: lake.contractUri,
        },
        FIRST_WINDOW_TICK,
      );
      expect(result).toMatchObject({ ok: true, value: { completed: [{ records: 96 }], batchItemFailures: [] } });
      await lake.expectExactlyOnce();
    } finally {
      await lake.close();
    }
  });

  it('fails with a clear error when its environment is incomplete', async () => {
    expect(await invoke({ RAW_BUCKET: 'b' }, FIRST_WINDOW_TICK)).toEqual({
      ok: false,
      value: expect.stringMatching(/SOURCE_CONFIG: got nothing; the JSON of one source config/),
    });
  });
});
