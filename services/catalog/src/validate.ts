import type { FieldError } from '@emporium/platform';
import type { ProductInput, ProductStatus, VariantInput } from './types.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const SKU = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_AMOUNT = 1_000_000_000_000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class Collector {
  readonly errors: FieldError[] = [];
  add(field: string, message: string) {
    this.errors.push({ field, message });
  }
  text(value: unknown, field: string, max: number, required: boolean): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) this.add(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return void this.add(field, 'must be a string');
    const trimmed = value.trim();
    if (required && trimmed === '') return void this.add(field, 'must not be blank');
    if (trimmed.length > max) return void this.add(field, `must be at most ${max} characters`);
    return trimmed;
  }
  attributes(value: unknown, field: string): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) return (this.add(field, 'must be an object of names to values'), {});
    const entries = Object.entries(value);
    if (entries.length > 50) this.add(field, 'may have at most 50 attributes');
    const out: Record<string, string> = {};
    for (const [key, raw] of entries) {
      if (key.length === 0 || key.length > 60) this.add(`${field}.${key}`, 'name must be 1-60 characters');
      else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')
        out[key] = String(raw).slice(0, 500);
      else this.add(`${field}.${key}`, 'must be a string, number or boolean');
    }
    return out;
  }
  count(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000_000)
      return void this.add(field, 'must be a whole number from 0');
    return n;
  }
}

function checkVariant(c: Collector, raw: unknown, at: string): VariantInput | undefined {
  if (!isRecord(raw)) return void c.add(at, 'must be an object');
  const sku = typeof raw.sku === 'string' ? raw.sku.trim() : raw.sku;
  if (typeof sku !== 'string' || !SKU.test(sku))
    c.add(`${at}.sku`, 'must be 1-64 letters, digits or . _ - / starting with a letter or digit');
  const price = raw.price;
  let amount: number | undefined;
  let currency: string | undefined;
  if (!isRecord(price)) c.add(`${at}.price`, 'must be {amount, currency}');
  else {
    // A price of 0 cannot be paid (a card authorisation needs at least one minor unit), so an order for
    // it could never complete: refused here, on every write path (API, update, import).
    if (typeof price.amount !== 'number' || !Number.isInteger(price.amount) || price.amount < 1)
      c.add(`${at}.price.amount`, 'must be a whole number of minor units (cents), 1 or more');
    else if (price.amount > MAX_AMOUNT) c.add(`${at}.price.amount`, 'is too large');
    else amount = price.amount;
    if (typeof price.currency !== 'string' || !CURRENCY.test(price.currency))
      c.add(`${at}.price.currency`, 'must be an ISO 4217 code such as USD');
    else currency = price.currency;
  }
  const title = c.text(raw.title, `${at}.title`, 200, false);
  const attributes = c.attributes(raw.attributes, `${at}.attributes`);
  const stock = c.count(raw.stock ?? raw.onHand, `${at}.stock`);
  if (typeof sku !== 'string' || amount === undefined || currency === undefined) return undefined;
  return { sku, title, price: { amount, currency }, attributes, stock };
}

function checkVariants(c: Collector, raw: unknown): VariantInput[] {
  if (!Array.isArray(raw) || raw.length === 0)
    return (c.add('variants', 'must list at least one variant'), []);
  if (raw.length > 100) return (c.add('variants', 'may list at most 100 variants'), []);
  const variants = raw.map((v, i) => checkVariant(c, v, `variants[${i}]`));
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (!v) return;
    if (seen.has(v.sku)) c.add(`variants[${i}].sku`, `repeats sku ${v.sku}`);
    seen.add(v.sku);
  });
  const currencies = new Set(variants.map((v) => v?.price.currency).filter(Boolean));
  if (currencies.size > 1) c.add('variants', 'all variants of a product must use one currency');
  return variants.filter((v): v is VariantInput => v !== undefined);
}

/** Checks a product body field by field; `allowArchived` for updates, where archiving is a status. */
export function checkProduct(raw: unknown, allowArchived = false): Checked<ProductInput> {
  const c = new Collector();
  if (!isRecord(raw)) return { ok: false, errors: [{ field: '', message: 'must be a JSON object' }] };
  const title = c.text(raw.title, 'title', 300, true);
  const description = c.text(raw.description, 'description', 20_000, false) ?? '';
  const brand = c.text(raw.brand, 'brand', 120, false) ?? null;
  const category = c.text(raw.category, 'category', 500, true);
  if (category && category.split('/').some((s) => s.trim() === ''))
    c.add('category', 'must be a category id or a path such as "Electronics/Phones"');
  const attributes = c.attributes(raw.attributes, 'attributes');
  const statuses = allowArchived ? ['draft', 'active', 'archived'] : ['draft', 'active'];
  const status = raw.status ?? 'active';
  if (typeof status !== 'string' || !statuses.includes(status))
    c.add('status', `must be one of ${statuses.join(', ')}`);
  const handle = c.text(raw.handle, 'handle', 200, false);
  const variants = checkVariants(c, raw.variants);
  if (c.errors.length > 0 || !title || !category) return { ok: false, errors: c.errors };
  return {
    ok: true,
    value: {
      title,
      description,
      brand,
      category,
      attributes,
      status: status as ProductStatus,
      variants,
      handle: handle ?? variants[0]?.sku,
    },
  };
}
