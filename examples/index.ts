import { loadContractFile } from '@nfe-lake/lake-core';
import { join } from 'node:path';
import { ExpectedAnswers } from './answers';
import { expectedNfeAnswers } from './nfe-invoice/expected-answers';

export { default as nfeInvoice, BR_STATES, INVOICE_STATUSES } from './nfe-invoice/contract';
export * from './nfe-invoice/generator';
export * from './shop-orders/generator';
export * from './answers';

/** The shop_orders contract, declared in YAML. */
export const shopOrders = loadContractFile(join(__dirname, 'shop-orders/shop_orders.contract.yaml'));

/** Per dataset, the independent computation of its named queries' answers (the demo checks Trino against it). */
export const EXPECTED_ANSWERS: Readonly<Record<string, ExpectedAnswers>> = { nfe_invoice: expectedNfeAnswers };
