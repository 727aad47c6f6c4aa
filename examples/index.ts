import { loadContractFile } from '@nfe-lake/lake-core';
import { join } from 'node:path';

export { default as nfeInvoice, BR_STATES, INVOICE_STATUSES } from './nfe-invoice/contract';
export * from './nfe-invoice/generator';
export * from './shop-orders/generator';

/** The shop_orders contract, declared in YAML. */
export const shopOrders = loadContractFile(join(__dirname, 'shop-orders/shop_orders.contract.yaml'));
