/**
 * The answers this example's named queries (shop_orders.contract.yaml) must give, computed in plain
 * TypeScript from the raw records the API served (as the collector stored them). It follows the
 * job's rules: contract-invalid records are quarantined, the newest version of an order (by
 * `modified_at`) wins, `dt` is the UTC order date, the sales table leaves returned orders out.
 */
import { recordValidator } from '@nfe-lake/lake-core';
import { ExpectedAnswers } from '../answers';
import { ShopOrder } from './generator';
import { shopOrdersContract } from './contract';

const DAY = 86_400_000;
/** Fixed-point sums, as Trino's decimals: `scale` digits after the point. */
const fixed = (values: number[], scale: number) => (values.reduce((s, v) => s + Math.round(v * 10 ** scale), 0) / 10 ** scale).toFixed(scale);

export const expectedShopOrdersAnswers: ExpectedAnswers = (parts, now) => {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const daysAgo = (n: number) => new Date(today - n * DAY).toISOString().slice(0, 10);
  const valid = recordValidator(shopOrdersContract);
  const latest = new Map<string, ShopOrder>();
  for (const record of parts.flatMap((p) => p.records)) {
    if (!valid(record).ok) continue;
    const order = record as ShopOrder;
    const seen = latest.get(order.order_id);
    if (!seen || Date.parse(seen.modified_at) < Date.parse(order.modified_at)) latest.set(order.order_id, order);
  }
  const dt = (o: ShopOrder) => new Date(o.ordered_at).toISOString().slice(0, 10);
  const orders = [...latest.values()];

  const countries = new Map<string, ShopOrder[]>();
  for (const o of orders.filter((o) => o.status !== 'returned' && dt(o) >= daysAgo(7))) {
    countries.set(o.customer.address.country, [...(countries.get(o.customer.address.country) ?? []), o]);
  }
  const sales = [...countries.entries()]
    .map(([country, xs]) => [country, xs.length, fixed(xs.map((o) => o.total), 2)] as [string, number, string])
    .sort((a, b) => Number(b[2]) - Number(a[2]) || a[0].localeCompare(b[0]));

  const methods = new Map<string, number[]>();
  for (const o of orders.filter((o) => dt(o) === daysAgo(1))) {
    for (const p of o.payments ?? []) methods.set(p.method, [...(methods.get(p.method) ?? []), p.amount]);
  }
  const mix = [...methods.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([method, amounts]) => [method, amounts.length, fixed(amounts, 2)]);

  return { 'sales-by-country-last-7-days': sales, 'payment-mix-yesterday': mix };
};
