import { ExpectedAnswers } from './answers';
import { expectedNfeAnswers } from './nfe-invoice/expected-answers';
import { expectedShopOrdersAnswers } from './shop-orders/expected-answers';

export { default as nfeInvoice, BR_STATES, INVOICE_STATUSES } from './nfe-invoice/contract';
export * from './nfe-invoice/generator';
export * from './shop-orders/generator';
export * from './answers';

/** The shop_orders contract, declared in YAML. */
export { shopOrdersContract as shopOrders } from './shop-orders/contract';

/** Per dataset, the independent computation of its named queries' answers (the demo checks Trino against it). */
export const EXPECTED_ANSWERS: Readonly<Record<string, ExpectedAnswers>> = { nfe_invoice: expectedNfeAnswers, shop_orders: expectedShopOrdersAnswers };
