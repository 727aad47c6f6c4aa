import { cents, digits, mix, pick, prng } from '../random';
import { BR_STATES } from './contract';

/** An NF-e-like invoice as the source API serves it (matches the `nfe_invoice` contract). */
export interface InvoiceItem {
  item_number: number;
  product_code: string;
  description: string;
  ncm: string;
  cfop: string;
  unit: string;
  quantity: number;
  unit_price: number;
  total_price: number;
  discount: number;
  icms_amount: number;
}

export interface Party {
  document: string;
  name: string;
  state: string;
  city: string;
}

export interface Invoice {
  invoice_id: string;
  number: number;
  series: number;
  model: '55' | '65';
  status: 'authorized' | 'cancelled' | 'denied';
  issued_at: string;
  updated_at: string;
  operation_nature: string;
  issuer: Party;
  recipient: Party;
  total_products: number;
  total_discount: number;
  total_tax: number;
  total_amount: number;
  items: InvoiceItem[];
}

export interface GeneratorOptions {
  /** Seed: the same seed and index always give the same invoice. @default 42 */
  readonly seed?: number;
  /** First issue instant (UTC). @default 2026-01-01T00:00:00Z */
  readonly start?: Date;
  /** Seconds of issue time between consecutive invoices. @default 30 */
  readonly spacingSeconds?: number;
  /** Number of distinct issuers. @default 200 */
  readonly issuers?: number;
  /** Number of distinct products. @default 500 */
  readonly products?: number;
}

const CITIES = ['Sao Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Porto Alegre', 'Recife', 'Salvador', 'Manaus'];
const NATURES = ['Venda de mercadoria', 'Devolucao de compra', 'Remessa para conserto', 'Venda de producao'];
const UNITS = ['UN', 'KG', 'CX', 'LT', 'M'];
const PRODUCT_WORDS = ['Parafuso', 'Cabo', 'Tinta', 'Cimento', 'Lampada', 'Tubo', 'Chapa', 'Motor', 'Sensor', 'Valvula'];

function issuer(seed: number, i: number): Party {
  const rand = prng(mix(seed, 1_000_000 + i));
  return { document: digits(rand, 14), name: `Empresa ${i} Ltda`, state: pick(rand, BR_STATES), city: pick(rand, CITIES) };
}

function product(seed: number, p: number) {
  const rand = prng(mix(seed, 2_000_000 + p));
  return {
    code: `P${String(p).padStart(6, '0')}`,
    description: `${pick(rand, PRODUCT_WORDS)} modelo ${p}`,
    ncm: digits(rand, 8),
    unit: pick(rand, UNITS),
    price: cents(1 + rand() * 999),
  };
}

/**
 * Deterministic NF-e-like sample data. `invoice(i)` is O(1) in `i`, so an API can serve any page
 * of a huge dataset without generating what comes before it.
 */
export class InvoiceGenerator {
  private readonly seed: number;
  private readonly startMs: number;
  private readonly spacingMs: number;
  private readonly issuerCount: number;
  private readonly productCount: number;

  constructor(options: GeneratorOptions = {}) {
    this.seed = options.seed ?? 42;
    this.startMs = (options.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
    this.spacingMs = (options.spacingSeconds ?? 30) * 1000;
    this.issuerCount = options.issuers ?? 200;
    this.productCount = options.products ?? 500;
  }

  /** Issue instant of invoice `i` (monotonic in `i`). */
  issuedAt(i: number): Date {
    return new Date(this.startMs + i * this.spacingMs);
  }

  invoice(i: number): Invoice {
    const rand = prng(mix(this.seed, i));
    const issued = this.issuedAt(i);
    const from = issuer(this.seed, Math.floor(rand() * this.issuerCount));
    const itemCount = 1 + Math.floor(rand() * 5);
    const items: InvoiceItem[] = [];
    for (let n = 1; n <= itemCount; n++) {
      const p = product(this.seed, Math.floor(rand() * this.productCount));
      const quantity = 1 + Math.floor(rand() * 20);
      const total = cents(quantity * p.price);
      const discount = rand() < 0.2 ? cents(total * 0.05) : 0;
      items.push({
        item_number: n,
        product_code: p.code,
        description: p.description,
        ncm: p.ncm,
        cfop: rand() < 0.8 ? '5102' : '6102',
        unit: p.unit,
        quantity,
        unit_price: p.price,
        total_price: total,
        discount,
        icms_amount: cents((total - discount) * 0.18),
      });
    }
    const totalProducts = cents(items.reduce((s, it) => s + it.total_price, 0));
    const totalDiscount = cents(items.reduce((s, it) => s + it.discount, 0));
    const totalTax = cents(items.reduce((s, it) => s + it.icms_amount, 0));
    const statusRoll = rand();
    const isCpf = rand() < 0.4;
    const number = i + 1;
    // Access key layout: UF(2) AAMM(4) CNPJ(14) model(2) series(3) number(9) emission(1) code(8) dv(1).
    const invoiceId = `35${issued.toISOString().slice(2, 4)}${issued.toISOString().slice(5, 7)}${from.document}55001${String(number % 1e9).padStart(9, '0')}1${digits(rand, 8)}${digits(rand, 1)}`;
    return {
      invoice_id: invoiceId,
      number,
      series: 1,
      model: '55',
      status: statusRoll < 0.93 ? 'authorized' : statusRoll < 0.98 ? 'cancelled' : 'denied',
      issued_at: issued.toISOString(),
      updated_at: new Date(issued.getTime() + Math.floor(rand() * 3_600_000)).toISOString(),
      operation_nature: pick(rand, NATURES),
      issuer: from,
      recipient: {
        document: digits(rand, isCpf ? 11 : 14),
        name: isCpf ? `Cliente ${Math.floor(rand() * 1e6)}` : `Comprador ${Math.floor(rand() * 1e4)} SA`,
        state: pick(rand, BR_STATES),
        city: pick(rand, CITIES),
      },
      total_products: totalProducts,
      total_discount: totalDiscount,
      total_tax: totalTax,
      total_amount: cents(totalProducts - totalDiscount),
      items,
    };
  }

  /** Invoices `from` (inclusive) to `to` (exclusive). */
  *range(from: number, to: number): Generator<Invoice> {
    for (let i = from; i < to; i++) yield this.invoice(i);
  }
}
