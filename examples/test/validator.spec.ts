import { formatIssues, MAX_RECORD_DEPTH, recordValidator } from '@nfe-lake/lake-core';
import { InvoiceGenerator, nfeInvoice, ShopOrderGenerator, shopOrders } from '../index';

const validate = recordValidator(nfeInvoice);
const sample = () => structuredClone(new InvoiceGenerator({ seed: 7 }).invoice(3)) as unknown as Record<string, unknown>;
const issuesOf = (record: unknown) => {
  const result = validate(record);
  return result.ok ? [] : result.issues;
};

describe('record validator', () => {
  it('accepts every generated invoice', () => {
    const gen = new InvoiceGenerator({ seed: 1 });
    for (let i = 0; i < 1000; i++) expect(issuesOf(gen.invoice(i))).toEqual([]);
  });

  it('accepts decimals as numeric strings and unknown extra fields', () => {
    const r = sample();
    r.total_amount = '123.40';
    r.extra_field_from_newer_api = { anything: true };
    expect(issuesOf(r)).toEqual([]);
  });

  it.each<[string, (r: Record<string, unknown>) => void, string, string]>([
    ['missing key', (r) => delete r.invoice_id, 'invoice_id', 'required field is missing'],
    ['null required', (r) => (r.status = null), 'status', 'required field is null'],
    ['wrong type', (r) => (r.number = 'twelve'), 'number', 'expected integer, got string "twelve"'],
    ['enum', (r) => (r.status = 'paid'), 'status', 'string "paid" is not one of authorized, cancelled, denied'],
    ['pattern', (r) => (r.invoice_id = '123'), 'invoice_id', 'string "123" does not match ^[0-9]{44}$'],
    ['timestamp without zone', (r) => (r.issued_at = '2026-01-01T10:00:00'), 'issued_at', 'expected ISO 8601 timestamp with zone, got string "2026-01-01T10:00:00"'],
    ['decimal scale', (r) => (r.total_amount = 10.123), 'total_amount', 'number 10.123 has 3 decimal places, at most 2 allowed for decimal(15,2)'],
    ['decimal overflow', (r) => (r.total_amount = 1e14), 'total_amount', 'has 15 integer digits, at most 13 allowed'],
    ['below minimum', (r) => (r.total_amount = -1), 'total_amount', '-1 is below the minimum 0'],
    ['nested struct field', (r) => ((r.issuer as Record<string, unknown>).state = 'XX'), 'issuer.state', 'string "XX" is not one of AC'],
    ['array element field', (r) => ((r.items as Record<string, unknown>[])[0].quantity = 'a lot'), 'items[0].quantity', 'string "a lot" is not a decimal number for decimal(15,4)'],
    ['not an array', (r) => (r.items = {}), 'items', 'expected array, got object'],
    ['null element', (r) => (r.items = [null]), 'items[0]', 'array element is null'],
  ])('rejects %s with path and reason', (_, mutate, path, message) => {
    const r = sample();
    mutate(r);
    const issues = issuesOf(r);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toContain(message);
  });

  it('rejects non-objects at the root', () => {
    expect(issuesOf('x')).toEqual([{ path: '$', message: 'expected object, got string "x"' }]);
    expect(issuesOf([1])).toEqual([{ path: '$', message: 'expected object, got array' }]);
  });

  it('reports several issues at once, capped, and formats them on one line', () => {
    const r = sample();
    r.number = 'x';
    r.status = 1;
    const issues = issuesOf(r);
    expect(formatIssues(issues)).toBe('number: expected integer, got string "x"; status: expected string, got number 1');
    expect(issuesOf({}).length).toBeLessThanOrEqual(20);
  });

  it('rejects impossible calendar dates in date columns', () => {
    const dated = recordValidator({ columns: [{ name: 'd', type: { kind: 'date' }, description: 'd' }] });
    expect(dated({ d: '2026-02-30' })).toEqual({ ok: false, issues: [{ path: 'd', message: 'expected date YYYY-MM-DD, got string "2026-02-30"' }] });
    expect(dated({ d: '2024-02-29' })).toEqual({ ok: true });
    // Date.UTC maps years 0-99 to 1900-1999: year 50 is still year 50
    expect(dated({ d: '0050-02-28' })).toEqual({ ok: true });
    expect(dated({ d: '0000-01-01' }).ok).toBe(false);
  });

  it('rejects impossible calendar timestamps that Date.parse would roll over', () => {
    const stamped = recordValidator({ columns: [{ name: 't', type: { kind: 'timestamp' }, description: 't' }] });
    for (const t of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00Z\n']) {
      expect(stamped({ t })).toEqual({ ok: false, issues: [{ path: 't', message: `expected ISO 8601 timestamp with zone, got string ${JSON.stringify(t)}` }] });
    }
    expect(stamped({ t: '1899-12-31T23:59:59.123456789-03:00' })).toEqual({ ok: true });
  });

  it(`rejects a record nested deeper than ${MAX_RECORD_DEPTH} levels whole, whatever the field`, () => {
    const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);
    const r = sample();
    r.unknown = nested(MAX_RECORD_DEPTH - 1); // the record is level 1
    expect(issuesOf(r)).toEqual([]);
    r.unknown = nested(3000);
    expect(issuesOf(r)).toEqual([{ path: '$', message: `nested deeper than ${MAX_RECORD_DEPTH} levels` }]);
  });
});

describe('sample generator', () => {
  it('is deterministic per seed and index, and differs across seeds', () => {
    expect(new InvoiceGenerator({ seed: 5 }).invoice(10)).toEqual(new InvoiceGenerator({ seed: 5 }).invoice(10));
    expect(new InvoiceGenerator({ seed: 5 }).invoice(10)).not.toEqual(new InvoiceGenerator({ seed: 6 }).invoice(10));
  });

  it('produces unique 44-digit ids and consistent totals', () => {
    const gen = new InvoiceGenerator();
    const ids = new Set<string>();
    for (const inv of gen.range(0, 5000)) {
      ids.add(inv.invoice_id);
      const items = inv.items.reduce((s, it) => s + it.total_price, 0);
      expect(Math.abs(items - inv.total_products)).toBeLessThan(0.01);
      expect(inv.items.map((it) => it.item_number)).toEqual(inv.items.map((_, i) => i + 1));
    }
    expect(ids.size).toBe(5000);
  });
});

describe('record validator on shop_orders (YAML contract)', () => {
  const validateOrder = recordValidator(shopOrders);
  const order = () => structuredClone(new ShopOrderGenerator().order(11)) as unknown as Record<string, unknown>;
  const orderIssues = (record: unknown) => {
    const result = validateOrder(record);
    return result.ok ? [] : result.issues;
  };

  it('accepts every generated order, with and without payments and tags', () => {
    const gen = new ShopOrderGenerator({ seed: 3 });
    const orders = [...gen.range(0, 1000)];
    for (const o of orders) expect(orderIssues(o)).toEqual([]);
    expect(orders.some((o) => o.payments === null) && orders.some((o) => o.payments?.length === 2) && orders.some((o) => o.tags === null)).toBe(true);
  });

  it.each<[string, (r: Record<string, unknown>) => void, string, string]>([
    ['a deep struct field', (r) => (((r.customer as Record<string, unknown>).address as Record<string, unknown>).country = 'Portugal'), 'customer.address.country', 'does not match ^[A-Z]{2}$'],
    ['a maximum', (r) => ((r.lines as Record<string, unknown>[])[0].quantity = 5000), 'lines[0].quantity', '5000 is above the maximum 1000'],
    ['a primitive array element', (r) => (r.tags = ['ok', 7]), 'tags[1]', 'expected string, got number 7'],
    ['an enum in the second array', (r) => (r.payments = [{ method: 'cash', amount: 1, paid_at: '2026-01-01T00:00:00Z' }]), 'payments[0].method', 'string "cash" is not one of card, pix, voucher'],
  ])('rejects %s with path and reason', (_, mutate, path, message) => {
    const r = order();
    mutate(r);
    const issues = orderIssues(r);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toContain(message);
  });

  it('is deterministic per seed and index', () => {
    expect(new ShopOrderGenerator({ seed: 5 }).order(10)).toEqual(new ShopOrderGenerator({ seed: 5 }).order(10));
    expect(new ShopOrderGenerator({ seed: 5 }).order(10)).not.toEqual(new ShopOrderGenerator({ seed: 6 }).order(10));
  });
});
