import { demoSource, Lake, STYLES, Style, startWorld, World } from './harness';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

describe.each(Object.keys(STYLES) as Style[])('%s pagination against the demo API', (style) => {
  it('collects the window exactly once and writes a manifest that matches S3', async () => {
    // One invoice every 2 minutes: 720 in the window, 15 pages of 50.
    const lake = await Lake.create(world, { generator: { spacingSeconds: 120 } });
    try {
      await lake.collect(lake.handler(demoSource(lake.api, style)));
      const [manifest] = await lake.expectExactlyOnce();
      expect(lake.api.served.size).toBe(720);
      expect(manifest).toMatchObject({
        records: 720,
        apiReportedTotal: { unit: 'records', count: 720 },
        continuations: 0,
        invalidRecords: 0,
        firstCursor: '2026-01-01T00:00:00.000Z',
        lastCursor: '2026-01-01T23:58:00.000Z',
        window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
      });
      expect(manifest.pages).toBeGreaterThanOrEqual(720 / 50);
    } finally {
      await lake.close();
    }
  });
});
