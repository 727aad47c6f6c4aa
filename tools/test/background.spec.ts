import { exec } from '../local-lake/exec';
import { background } from '../local-lake/background';

describe('steps run in the background (tools/local-lake/background.ts)', () => {
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
});
