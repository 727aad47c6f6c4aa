import { join } from 'node:path';
import { DatasetContract, loadContractFile } from '../src';

/**
 * The repo's worked examples as test fixtures, loaded from their files the way a lake config
 * loads them (lake-core never imports the examples project).
 */
export const EXAMPLES_DIR = join(__dirname, '../../../examples');
export const nfeInvoice: DatasetContract = loadContractFile(join(EXAMPLES_DIR, 'nfe-invoice/contract.ts'));
export const shopOrders: DatasetContract = loadContractFile(join(EXAMPLES_DIR, 'shop-orders/shop_orders.contract.yaml'));
