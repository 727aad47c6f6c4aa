import { cents, mix, pick, prng } from '../random';

/** A shop order as the source API serves it (matches `shop_orders.contract.yaml`). */
export interface ShopOrder {
  order_id: string;
  status: 'placed' | 'paid' | 'shipped' | 'delivered' | 'returned';
  ordered_at: string;
  modified_at: string;
  customer: { id: number; name: string; address: { city: string; state: string | null; country: string } };
  lines: { line_no: number; sku: string; quantity: number; unit_price: number }[];
  payments: { method: 'card' | 'pix' | 'voucher'; amount: number; paid_at: string }[] | null;
  tags: string[] | null;
  total: number;
}

export interface ShopOrderGeneratorOptions {
  /** The same seed and index always give the same order. @default 7 */
  readonly seed?: number;
  /** First order instant (UTC). @default 2026-01-01T00:00:00Z */
  readonly start?: Date;
  /** Seconds between consecutive orders. @default 60 */
  readonly spacingSeconds?: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'returned'] as const;
const PLACES = [
  { city: 'Lisbon', state: null, country: 'PT' },
  { city: 'Porto', state: null, country: 'PT' },
  { city: 'Austin', state: 'TX', country: 'US' },
  { city: 'Campinas', state: 'SP', country: 'BR' },
  { city: 'Lyon', state: 'ARA', country: 'FR' },
] as const;
const TAGS = ['gift', 'express', 'first-order', 'wholesale'];

/** A ULID-shaped id: 10 characters of time, 16 of randomness (Crockford base32). */
function ulid(timeMs: number, rand: () => number): string {
  let time = '';
  for (let t = timeMs, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return time + Array.from({ length: 16 }, () => CROCKFORD[Math.floor(rand() * 32)]).join('');
}

/** Deterministic sample orders; `order(i)` is O(1) in `i`. */
export class ShopOrderGenerator {
  private readonly seed: number;
  private readonly startMs: number;
  private readonly spacingMs: number;

  constructor(options: ShopOrderGeneratorOptions = {}) {
    this.seed = options.seed ?? 7;
    this.startMs = (options.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
    this.spacingMs = (options.spacingSeconds ?? 60) * 1000;
  }

  /** Order instant of order `i` (monotonic in `i`). */
  orderedAt(i: number): Date {
    return new Date(this.startMs + i * this.spacingMs);
  }

  order(i: number): ShopOrder {
    const rand = prng(mix(this.seed, i));
    const orderedMs = this.orderedAt(i).getTime();
    const lines = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, n) => ({
      line_no: n + 1,
      sku: `SKU-${String(Math.floor(rand() * 300)).padStart(4, '0')}`,
      quantity: 1 + Math.floor(rand() * 5),
      unit_price: cents(2 + rand() * 198),
    }));
    const total = cents(lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0));
    const status = pick(rand, STATUSES);
    // placed orders are unpaid (no payments); the rest are paid in one or two parts
    const split = rand() < 0.3 ? cents(total / 2) : total;
    const paidAt = (k: number) => new Date(orderedMs + (k + 1) * 60_000).toISOString();
    const payments =
      status === 'placed'
        ? null
        : split === total
          ? [{ method: pick(rand, ['card', 'pix'] as const), amount: total, paid_at: paidAt(0) }]
          : [
              { method: 'voucher' as const, amount: split, paid_at: paidAt(0) },
              { method: 'card' as const, amount: cents(total - split), paid_at: paidAt(1) },
            ];
    const customerId = 1 + Math.floor(rand() * 5_000);
    return {
      order_id: ulid(orderedMs, rand),
      status,
      ordered_at: new Date(orderedMs).toISOString(),
      modified_at: new Date(orderedMs + Math.floor(rand() * 86_400_000)).toISOString(),
      customer: { id: customerId, name: `Customer ${customerId}`, address: { ...pick(rand, PLACES) } },
      lines,
      payments,
      tags: rand() < 0.5 ? null : TAGS.filter(() => rand() < 0.4),
      total,
    };
  }

  /** Orders `from` (inclusive) to `to` (exclusive). */
  *range(from: number, to: number): Generator<ShopOrder> {
    for (let i = from; i < to; i++) yield this.order(i);
  }
}
