import type { PaginationConfig } from '@nfe-lake/lake-core';

/** The pagination styles the demo API serves, named as lake-core's config names them; one route each (`/<style>/invoices`). */
export type PaginationStyle = PaginationConfig['type'];

/** One injected fault, applied to one request instead of (or before) the normal response. */
export type Fault =
  /** An error status, optionally with `Retry-After` (seconds or an HTTP date, sent verbatim). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** The connection is destroyed without a response. */
  | { readonly kind: 'reset' }
  /** The normal response, after a delay. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** A 200 whose JSON body is cut in half (with a matching Content-Length). */
  | { readonly kind: 'truncate' }
  /** A 200 with valid JSON that lacks the records array. */
  | { readonly kind: 'no-records' }
  /** A 200 whose page is empty (totals unchanged): pagination that ends before the total. */
  | { readonly kind: 'empty' }
  /** The normal page with its first invoice breaking the contract (`status` not an allowed value). */
  | { readonly kind: 'invalid-record' }
  /** `insert` newer invoices appear at the front of the list, then the normal response: offset pages shift. */
  | { readonly kind: 'shift'; readonly insert: number };

export interface FaultContext {
  /** 1-based number of the request since the server started. */
  readonly requestNo: number;
  readonly style: PaginationStyle;
  /** The route's dataset (`invoices`, `orders`). */
  readonly dataset: string;
  readonly url: URL;
}

export type FaultPlan = (ctx: FaultContext) => Fault | undefined;

/** A plan that injects `faults[n]` on request number n. */
export function faultsAt(faults: Readonly<Record<number, Fault>>): FaultPlan {
  return ({ requestNo }) => faults[requestNo];
}
