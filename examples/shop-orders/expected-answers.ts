/**
 * The answers this example's named queries (shop_orders.contract.yaml) must give, computed in plain
 * TypeScript from the raw records the API served (as the collector stored them). It follows the
 * job's rules: contract-invalid records are quarantined, the newest version of an order (by
 * `modified_at`) wins, `dt` is the UTC order date, the sales table leaves returned orders out.
 */
import { daysBefore, ExpectedAnswers, fixedSum as fixed, latestVersions } from '../answers';
import { ShopOrder } from './generator';
import { shopOrdersContract } from './contract';

export const expectedShopOrdersAnswers: ExpectedAnswers = (parts, now) => {
  const daysAgo = daysBefore(now);
  const orders = latestVersions<ShopOrder>(parts, shopOrdersContract);
  const dt = (o: ShopOrder) => new Date(o.ordered_at).toISOString().slice(0, 10);

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
