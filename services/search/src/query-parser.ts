/**
 * Query parser: free text, "quoted phrases", inline filters and structured parameters into one
 * ParsedQuery. Malformed filters are a Validation error value (the HTTP layer maps it to 400);
 * abusive input is clamped, never rejected with a 500:
 * - the raw query is cut to MAX_QUERY_LENGTH characters and control characters become spaces;
 * - at most MAX_TERMS words are kept (the rest cannot change a top-10 meaningfully);
 * - perPage is clamped to [1, MAX_PER_PAGE], page to [1, MAX_PAGE]; non-numbers fall back to defaults.
 */
import { extractPricePhrases } from './price-phrases.ts';
import { SORT_ORDERS, type ParsedQuery, type SearchFilters, type SortOrder } from './types.ts';

export const MAX_QUERY_LENGTH = 512;
export const MAX_TERMS = 32;
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 24;
export const MAX_PAGE = 1000;

export interface ValidationError {
  kind: 'Validation';
  message: string;
  fields: { field: string; message: string }[];
}

export type ParseResult = { ok: true; query: ParsedQuery } | { ok: false; error: ValidationError };

/** Structured parameters as they arrive from a query string (all optional strings). */
export interface SearchParams {
  q?: string;
  category?: string;
  brand?: string | string[];
  minPrice?: string;
  maxPrice?: string;
  minRating?: string;
  inStock?: string;
  sort?: string;
  page?: string;
  perPage?: string;
}

class FieldFault extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Prices in parameters and inline filters are minor units, like every amount in the API and the price
 * facet buckets, so a bucket fed back as a filter selects what it counted. Only natural-language
 * phrases (`under $50`) are major units: that is how people say prices (price-phrases.ts).
 */
function money(field: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new FieldFault(field, `'${raw}' is not a price in minor units such as 999 (9.99)`);
  return Number(raw);
}

function rating(field: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 5)
    throw new FieldFault(field, `'${raw}' is not a rating between 0 and 5`);
  return v;
}

function bool(field: string, raw: string): boolean {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new FieldFault(field, `'${raw}' is not true or false`);
}

function priceRange(filters: SearchFilters, raw: string): void {
  const m = /^([^.]*)\.\.(.*)$/.exec(raw);
  if (!m)
    throw new FieldFault(
      'price',
      `'${raw}' is not a range in minor units such as 1000..4999, 1000.. or ..4999`,
    );
  if (m[1]) filters.minPrice = money('price', m[1]);
  if (m[2]) filters.maxPrice = money('price', m[2]);
  if (filters.minPrice === undefined && filters.maxPrice === undefined)
    throw new FieldFault('price', 'the range is empty');
}

export function sanitize(raw: string): string {
  return raw.slice(0, MAX_QUERY_LENGTH).replace(/[\p{Cc}\p{Cf}]/gu, ' ');
}

/** A `"` right after a digit is an inch mark (`1/2" pipe`) unless it closes an open phrase. */
function protectInchMarks(text: string): string {
  let quotes = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '"') {
      out += c;
      continue;
    }
    if (quotes % 2 === 0 && /\d/.test(text[i - 1] ?? '')) out += ' in ';
    else {
      quotes++;
      out += c;
    }
  }
  return out;
}

const INLINE = /(?:^|\s)(-?)([a-z][a-z_.]*)(:|>=|<=)("[^"]*"|\S+)/gi;

function applyInline(filters: SearchFilters, key: string, op: string, rawValue: string): boolean {
  const value = rawValue.replace(/^"|"$/g, '');
  const k = key.toLowerCase();
  if (k === 'brand' && op === ':') (filters.brands ??= []).push(value);
  else if (k === 'category' && op === ':') filters.category = value;
  else if (k === 'price' && op === ':') priceRange(filters, value);
  else if (k === 'price' && op === '>=') filters.minPrice = money('price', value);
  else if (k === 'price' && op === '<=') filters.maxPrice = money('price', value);
  else if (k === 'rating' && (op === '>=' || op === ':')) filters.minRating = rating('rating', value);
  else if ((k === 'instock' || k === 'in_stock') && op === ':') filters.inStock = bool('inStock', value);
  else if (k.startsWith('attr.') && op === ':' && k.length > 5)
    (filters.attributes ??= {})[key.slice(5)] = value;
  else return false;
  if (value === '') throw new FieldFault(k, 'the filter has no value');
  return true;
}

function clampInt(raw: string | undefined, fallback: number, min: number, max: number): number {
  const v = raw === undefined ? NaN : Number.parseInt(raw, 10);
  if (!Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}

function mergeParams(filters: SearchFilters, p: SearchParams): void {
  if (p.category) filters.category = p.category;
  const brands = Array.isArray(p.brand) ? p.brand : p.brand ? p.brand.split(',') : [];
  if (brands.length > 0)
    filters.brands = [...(filters.brands ?? []), ...brands.map((b) => b.trim()).filter(Boolean)];
  if (p.minPrice) filters.minPrice = money('minPrice', p.minPrice);
  if (p.maxPrice) filters.maxPrice = money('maxPrice', p.maxPrice);
  if (p.minRating) filters.minRating = rating('minRating', p.minRating);
  if (p.inStock) filters.inStock = bool('inStock', p.inStock);
  if (
    filters.minPrice !== undefined &&
    filters.maxPrice !== undefined &&
    filters.minPrice > filters.maxPrice
  ) {
    throw new FieldFault('price', 'the minimum price is above the maximum');
  }
}

function parseSort(raw: string | undefined): SortOrder {
  if (raw === undefined || raw === '') return 'relevance';
  if ((SORT_ORDERS as readonly string[]).includes(raw)) return raw as SortOrder;
  throw new FieldFault('sort', `'${raw}' is not one of ${SORT_ORDERS.join(', ')}`);
}

export function parseQuery(params: SearchParams | string): ParseResult {
  const p: SearchParams = typeof params === 'string' ? { q: params } : params;
  const filters: SearchFilters = {};
  try {
    let text = protectInchMarks(sanitize(p.q ?? ''));
    const phrases: string[] = [];
    text = text.replace(INLINE, (whole, _neg: string, key: string, op: string, value: string) =>
      applyInline(filters, key, op, value) ? ' ' : whole,
    );
    text = text.replace(/"([^"]*)"/g, (_m, phrase: string) => {
      if (phrase.trim()) phrases.push(phrase.trim());
      return ' ';
    });
    text = extractPricePhrases(text, filters);
    const words = text.replace(/"/g, ' ').split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
    mergeParams(filters, p);
    const query: ParsedQuery = {
      text: words.join(' '),
      phrases,
      filters,
      sort: parseSort(p.sort),
      page: clampInt(p.page, 1, 1, MAX_PAGE),
      perPage: clampInt(p.perPage, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    };
    return { ok: true, query };
  } catch (e) {
    if (!(e instanceof FieldFault)) throw e;
    const message = `Invalid search parameter '${e.field}': ${e.message}`;
    return {
      ok: false,
      error: { kind: 'Validation', message, fields: [{ field: e.field, message: e.message }] },
    };
  }
}
