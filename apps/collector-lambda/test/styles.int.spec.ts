import { demoSource, Lake, shopOrders, STYLES, Style, startWorld, World } from './harness';

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

describe('a second dataset of another shape, over its own route and pagination style', () => {
  it('collects shop orders (two arrays, a nested struct) by page number with a total-pages field, exactly once and all valid', async () => {
    // One order every 2 minutes: 720 in the window, 15 pages of 50.
    const lake = await Lake.create(world, { orderGenerator: { spacingSeconds: 120 } }, shopOrders);
    try {
      const source = demoSource(lake.api, 'page_number', {
        name: 'shop',
        dataset: 'shop_orders',
        path: '/page_number/orders',
        pagination: { type: 'page_number', pageSize: 50, totalPagesPath: 'total_pages' },
        incremental: { cursorField: 'ordered_at', startParam: 'ordered_since', endParam: 'ordered_until', initialValue: '2026-01-01T00:00:00Z', windowSeconds: 86_400, lagSeconds: 0 },
      });
      await lake.collect(lake.handler(source));
      const [manifest] = await lake.expectExactlyOnce();
      expect(lake.api.served.size).toBe(720);
      expect(manifest).toMatchObject({
        dataset: 'shop_orders',
        records: 720,
        invalidRecords: 0,
        pages: 15,
        apiReportedTotal: { unit: 'pages', count: 15 },
        firstCursor: '2026-01-01T00:00:00.000Z',
        lastCursor: '2026-01-01T23:58:00.000Z',
      });
      expect((await lake.keys()).filter((k) => k.endsWith('.jsonl.gz')).every((k) => k.startsWith('shop/shop_orders/'))).toBe(true);
    } finally {
      await lake.close();
    }
  });
});
