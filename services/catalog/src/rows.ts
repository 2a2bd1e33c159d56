import type { FieldError } from '@emporium/platform';

/** A source row (CSV record or NDJSON line) turned into a product body, before validation. */
export interface SourceProduct {
  line: number;
  seller?: string;
  body?: Record<string, unknown>;
  errors?: FieldError[];
}

const PRODUCT_FIELDS = ['title', 'description', 'brand', 'category', 'status', 'attributes'];

/** `color=red|size=M` or a JSON object. */
function parseAttributes(
  raw: unknown,
  field: string,
  errors: FieldError[],
): Record<string, string> | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'object') return raw as Record<string, string>;
  const text = String(raw).trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      errors.push({ field, message: 'is not valid JSON' });
      return undefined;
    }
  }
  const out: Record<string, string> = {};
  for (const pair of text.split('|')) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      errors.push({ field, message: `"${pair}" is not name=value` });
      continue;
    }
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

/** A decimal price in major units ("19.99") to minor units, without binary rounding surprises. */
function minorUnits(raw: unknown, errors: FieldError[]): number | undefined {
  const text = String(raw).trim();
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(text)) {
    errors.push({ field: 'price', message: 'must be a decimal amount such as 19.99' });
    return undefined;
  }
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** `currency` is the store's (STORE_CURRENCY): what a row without a currency column is priced in. */
function variantOf(row: Record<string, unknown>, currency: string, errors: FieldError[]) {
  let amount: unknown = row.price_amount ?? row.amount;
  if ((amount === undefined || amount === '') && row.price !== undefined && typeof row.price !== 'object')
    amount = minorUnits(row.price, errors);
  else if (typeof amount === 'string') amount = amount.trim() === '' ? undefined : Number(amount);
  if (amount === undefined && row.price === undefined)
    errors.push({ field: 'price', message: 'is required' });
  const price =
    typeof row.price === 'object' && row.price !== null
      ? row.price
      : { amount, currency: row.currency || currency };
  return {
    sku: row.sku,
    ...(row.variant_title ? { title: row.variant_title } : {}),
    price,
    attributes: parseAttributes(row.variant_attributes, 'variant_attributes', errors),
    ...(row.stock !== undefined && row.stock !== '' ? { stock: Number(row.stock) } : {}),
  };
}

/** Whether a row is a full product (`variants` listed) or one flat variant row of a product. */
export const isFullProduct = (row: Record<string, unknown>) => Array.isArray(row.variants);

export const handleOfRow = (row: Record<string, unknown>): string =>
  String(
    row.handle ||
      (isFullProduct(row) ? ((row.variants as { sku?: unknown }[])[0]?.sku ?? '') : (row.sku ?? '')),
  );

/**
 * Folds consecutive flat rows with the same handle into one product: the first row carries the product
 * fields, every row adds one variant.
 */
export class RowGrouper {
  private current: SourceProduct | undefined;
  private currentHandle = '';

  constructor(private readonly storeCurrency: string) {}

  /** Adds a row; returns the products it completed (none, the previous one, or a full product too). */
  push(line: number, row: Record<string, unknown>): SourceProduct[] {
    if (isFullProduct(row)) {
      const { seller, ...body } = row;
      return [...this.flush(), { line, seller: seller ? String(seller) : undefined, body }];
    }
    const handle = handleOfRow(row);
    const errors: FieldError[] = [];
    const variant = variantOf(row, this.storeCurrency, errors);
    if (this.current?.body && handle !== '' && handle === this.currentHandle) {
      (this.current.body.variants as unknown[]).push(variant);
      if (errors.length > 0)
        this.current.errors = [
          ...(this.current.errors ?? []),
          ...errors.map((e) => ({ ...e, field: `line ${line}: ${e.field}` })),
        ];
      return [];
    }
    const done = this.flush();
    const body: Record<string, unknown> = { variants: [variant] };
    for (const f of PRODUCT_FIELDS) if (row[f] !== undefined && row[f] !== '') body[f] = row[f];
    body.attributes = parseAttributes(row.attributes, 'attributes', errors);
    if (row.handle) body.handle = row.handle;
    this.current = {
      line,
      seller: row.seller ? String(row.seller) : undefined,
      body,
      ...(errors.length ? { errors } : {}),
    };
    this.currentHandle = handle;
    return done;
  }

  flush(): SourceProduct[] {
    const done = this.current;
    this.current = undefined;
    this.currentHandle = '';
    return done ? [done] : [];
  }
}
