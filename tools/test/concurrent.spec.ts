import { exec } from '../local-lake/exec';
import { background, concurrently } from '../local-lake/concurrent';

describe('steps run side by side (tools/local-lake/concurrent.ts)', () => {
  it('a background step that fails fails where it is awaited, naming the step, and never as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const fetch = background('the packages fetch', () => exec('bash', ['-c', 'echo no route to the registry >&2; exit 3'], { prefix: '', quiet: true }));
      await fetch.settled();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
      await expect(fetch.result()).rejects.toThrow(/^the packages fetch failed: bash -c .* exited with 3:\nno route to the registry/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a background step that succeeds gives its result', async () => {
    const step = background('echo', () => exec('echo', ['ready'], { prefix: '', quiet: true }));
    await expect(step.result()).resolves.toBe('ready\n');
  });

  it('waits for every step, then fails naming each one that failed (a failure does not cut the others short)', async () => {
    const started = Date.now();
    const run = concurrently([
      { name: 'the Spark step of nfe_invoice', run: () => exec('bash', ['-c', 'exit 1'], { prefix: '', quiet: true }) },
      { name: 'the Spark step of shop_orders', run: () => exec('bash', ['-c', 'sleep 1; echo done'], { prefix: '', quiet: true }) },
      { name: 'the Spark step of third', run: () => exec('bash', ['-c', 'echo lost >&2; exit 2'], { prefix: '', quiet: true }) },
    ]);
    await expect(run).rejects.toThrow(/^2 of 3 steps run side by side failed:\n {2}the Spark step of nfe_invoice failed: bash -c exit 1 exited with 1.*\n {2}the Spark step of third failed: bash -c .* exited with 2:\nlost/s);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('runs the steps at once and gives their results in order', async () => {
    const started = Date.now();
    const results = await concurrently(['a', 'b', 'c'].map((name) => ({ name, run: () => exec('bash', ['-c', `sleep 1; echo ${name}`], { prefix: '', quiet: true }) })));
    expect(results).toEqual(['a\n', 'b\n', 'c\n']);
    // three one-second steps one after another would take 3 s
    expect(Date.now() - started).toBeLessThan(2900);
  });
});
