import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ContractError, formatIssues, loadContractFile, parseExportedContract, recordValidator } from '@nfe-lake/lake-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { s3ContractLoader } from '../src/contract';

const EXAMPLES = join(__dirname, '../../../examples');
// the exported contracts exactly as the lake stack deploys them (drift-tested against the contracts in examples/)
const exported = (dataset: string) => readFileSync(join(EXAMPLES, 'contracts', `${dataset}.contract.json`), 'utf8');

describe('the contract the collector reads at runtime (exported, format 2)', () => {
  it.each([
    ['nfe_invoice', 'nfe-invoice/contract.ts'],
    ['shop_orders', 'shop-orders/shop_orders.contract.yaml'],
  ])('%s: the key and the columns the validator needs survive the export', (dataset, file) => {
    const source = loadContractFile(join(EXAMPLES, file));
    const contract = parseExportedContract(exported(dataset), `s3://artefacts/contracts/${dataset}.contract.json`);
    expect(contract).toEqual({ name: source.name, primaryKey: source.primaryKey, columns: source.columns });
  });

  it('validates shop orders with the nested struct and both arrays from the exported contract', () => {
    const validate = recordValidator(parseExportedContract(exported('shop_orders'), 'shop_orders'));
    const order = {
      order_id: '01JD0000000000000000000000',
      status: 'paid',
      ordered_at: '2026-01-01T10:00:00Z',
      modified_at: '2026-01-01T11:00:00Z',
      customer: { id: 1, name: 'A', address: { city: 'Porto', state: null, country: 'PT' } },
      lines: [{ line_no: 1, sku: 'SKU-1', quantity: 2, unit_price: 9.5 }],
      payments: [{ method: 'pix', amount: 19, paid_at: '2026-01-01T10:01:00Z' }],
      tags: ['gift'],
      total: 19,
    };
    expect(validate(order)).toEqual({ ok: true });
    const bad = { ...order, customer: { ...order.customer, address: { city: 'Porto', country: 'portugal' } }, lines: [{ ...order.lines[0], quantity: 0 }] };
    const result = validate(bad);
    expect(result.ok ? '' : formatIssues(result.issues)).toBe('customer.address.country: string "portugal" does not match ^[A-Z]{2}$; lines[0].quantity: 0 is below the minimum 1');
  });

  it('refuses a contract of another export format, saying how to fix it', () => {
    const old = JSON.stringify({ ...JSON.parse(exported('nfe_invoice')), format: 1 });
    expect(() => parseExportedContract(old, 's3://a/contracts/nfe_invoice.contract.json')).toThrow(ContractError);
    expect(() => parseExportedContract(old, 's3://a/contracts/nfe_invoice.contract.json')).toThrow(
      'invalid format in s3://a/contracts/nfe_invoice.contract.json: got 1; format 2: re-export the contract with this lake-core version',
    );
    expect(() => parseExportedContract('{', 's3://a/c.json')).toThrow(/invalid \(file\) in s3:\/\/a\/c.json: got nothing; valid JSON/);
  });

  it('refuses a CONTRACT_URI that is not an s3:// URI', () => {
    expect(() => s3ContractLoader(new S3Client({}), 'https://example.com/c.json')).toThrow(ConfigError);
    expect(() => s3ContractLoader(new S3Client({}), 'https://example.com/c.json')).toThrow('CONTRACT_URI: got "https://example.com/c.json"; an s3://<bucket>/<key> URI of an exported contract');
  });
});
