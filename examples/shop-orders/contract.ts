import { loadContractFile } from '@nfe-lake/lake-core';
import { join } from 'node:path';

/** The shop_orders contract, declared in YAML (this module only loads it for TypeScript code). */
export const shopOrdersContract = loadContractFile(join(__dirname, 'shop_orders.contract.yaml'));
