/**
 * Per-document columns for filtering, facets and sorting, indexed by internal doc id. Numbers sit
 * in typed arrays (NaN = absent) so filter checks over large match sets stay cheap.
 */
import type { SearchDocument, SearchFilters } from '../types.ts';
import { priceBucketOf, ratingStepsOf } from './buckets.ts';
import { Interner } from './interner.ts';

const EMPTY = new Int32Array(0);

export const ROW_STRIDE = 4;
export const ROW_CATEGORIES = 0;
export const ROW_ATTRIBUTES = 1;
export const ROW_BRAND = 2;
/** Bits 0-7 price bucket + 1 (0: no price), 8-11 rating steps reached, 12-13 stock + 1. */
export const ROW_SMALL = 3;

export class DocColumns {
  price: Float64Array = new Float64Array(0);
  rating: Float64Array = new Float64Array(0);
  createdAt: Float64Array = new Float64Array(0);
  sales: Float64Array = new Float64Array(0);
  popularity: Float64Array = new Float64Array(0);
  /** -1 unknown, 0 out of stock, 1 in stock (write through setStock: the facet row copies it). */
  stock: Int8Array = new Int8Array(0);
  /**
   * Everything facet counting reads about a document, in one 16-byte row (ROW_* offsets): the
   * category set, the attribute set, the brand, and price bucket, rating steps and stock packed in
   * one word. One cache line per matched document instead of one per column: at a million
   * documents the columns do not fit in cache and counting was bound by misses (ADR 0207).
   */
  facetRow: Int32Array = new Int32Array(0);
  /** Id arrays shared by every document with the same path or attribute set; 0 is the empty set. */
  readonly sets: Int32Array[] = [EMPTY];
  readonly brands = new Interner();
  /** Category nodes by full path 'A/B/C'; a document carries every prefix of its path. */
  readonly categoryNodes = new Interner();
  /** Attribute pairs keyed 'key\u0000value'. */
  readonly attributePairs = new Interner();
  /** Documents with the same path or attribute set share one id array (memory at a million products). */
  private readonly shared = new Map<string, number>();

  ensure(capacity: number): void {
    if (capacity <= this.price.length) return;
    const cap = Math.max(capacity, this.price.length * 2, 1024);
    this.price = growF64(this.price, cap);
    this.rating = growF64(this.rating, cap);
    this.createdAt = growF64(this.createdAt, cap);
    this.sales = growF64(this.sales, cap);
    this.popularity = growF64(this.popularity, cap);
    const stock = new Int8Array(cap);
    stock.set(this.stock);
    this.stock = stock;
    const row = new Int32Array(cap * ROW_STRIDE);
    row.set(this.facetRow);
    this.facetRow = row;
  }

  set(doc: number, d: SearchDocument): void {
    this.ensure(doc + 1);
    this.price[doc] = d.price ? d.price.amount : NaN;
    this.rating[doc] = d.rating ?? NaN;
    this.createdAt[doc] = d.createdAt ?? NaN;
    this.sales[doc] = d.sales ?? NaN;
    this.popularity[doc] = d.popularity ?? NaN;
    const r = doc * ROW_STRIDE;
    this.facetRow[r + ROW_CATEGORIES] = this.categoryIds(d.categoryPath);
    this.facetRow[r + ROW_ATTRIBUTES] = this.attributeIds(d.attributes);
    this.facetRow[r + ROW_BRAND] = d.brand ? this.brands.intern(d.brand) : -1;
    const bucket = d.price ? priceBucketOf(d.price.amount) : -1;
    this.facetRow[r + ROW_SMALL] = (bucket + 1) | (ratingStepsOf(d.rating ?? NaN) << 8);
    this.setStock(doc, d.inStock === undefined ? -1 : d.inStock ? 1 : 0);
  }

  setStock(doc: number, stock: -1 | 0 | 1): void {
    this.stock[doc] = stock;
    const r = doc * ROW_STRIDE + ROW_SMALL;
    this.facetRow[r] = ((this.facetRow[r] as number) & 0xfff) | ((stock + 1) << 12);
  }

  clear(doc: number): void {
    this.facetRow[doc * ROW_STRIDE + ROW_CATEGORIES] = 0;
    this.facetRow[doc * ROW_STRIDE + ROW_ATTRIBUTES] = 0;
  }

  brandOf(doc: number): number {
    return this.facetRow[doc * ROW_STRIDE + ROW_BRAND] as number;
  }

  categoriesOf(doc: number): Int32Array {
    return this.sets[this.facetRow[doc * ROW_STRIDE + ROW_CATEGORIES] as number] as Int32Array;
  }

  attributesOf(doc: number): Int32Array {
    return this.sets[this.facetRow[doc * ROW_STRIDE + ROW_ATTRIBUTES] as number] as Int32Array;
  }

  /** The set id of a key, made once; past 100,000 distinct keys sets are no longer shared. */
  private share(key: string, make: () => Int32Array): number {
    let id = this.shared.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(make());
      if (this.shared.size < 100_000) this.shared.set(key, id);
    }
    return id;
  }

  private categoryIds(path: string[] | undefined): number {
    if (!path || path.length === 0) return 0;
    return this.share(`c\u0000${path.join('\u0000')}`, () => this.makeCategoryIds(path));
  }

  private makeCategoryIds(path: string[]): Int32Array {
    const ids = new Int32Array(path.length);
    for (let i = 0; i < path.length; i++) ids[i] = this.categoryNodes.intern(path.slice(0, i + 1).join('/'));
    return ids;
  }

  private attributeIds(attrs: Record<string, string> | undefined): number {
    if (!attrs) return 0;
    const entries = Object.entries(attrs);
    if (entries.length === 0) return 0;
    const key = `a\u0000${entries.map(([k, v]) => `${k}\u0000${v}`).join('\u0001')}`;
    return this.share(key, () =>
      Int32Array.from(entries, ([k, v]) => this.attributePairs.intern(`${k}\u0000${v}`)),
    );
  }

  /** Resolves filters to ids once per query; `null` means the filter can match nothing. */
  compile(filters: SearchFilters): CompiledFilter | null {
    const category = filters.category ? this.categoryNodes.find(filters.category) : -1;
    if (category === undefined) return null;
    let brands: Set<number> | undefined;
    if (filters.brands && filters.brands.length > 0) {
      brands = new Set(filters.brands.map((b) => this.brands.find(b)).filter((b) => b !== undefined));
      if (brands.size === 0) return null;
    }
    const attrs: number[] = [];
    for (const [k, v] of Object.entries(filters.attributes ?? {})) {
      const id = this.attributePairs.find(`${k}\u0000${v}`);
      if (id === undefined) return null;
      attrs.push(id);
    }
    return {
      category,
      brands,
      attrs,
      minPrice: filters.minPrice ?? -Infinity,
      maxPrice: filters.maxPrice ?? Infinity,
      hasPrice: filters.minPrice !== undefined || filters.maxPrice !== undefined,
      minRating: filters.minRating,
      inStock: filters.inStock,
    };
  }

  matches(doc: number, f: CompiledFilter): boolean {
    if (f.category >= 0 && !this.categoriesOf(doc).includes(f.category)) return false;
    if (f.brands && !f.brands.has(this.brandOf(doc))) return false;
    if (f.hasPrice) {
      const p = this.price[doc] as number;
      if (!(p >= f.minPrice && p <= f.maxPrice)) return false;
    }
    if (f.minRating !== undefined && !((this.rating[doc] as number) >= f.minRating)) return false;
    if (f.inStock !== undefined && this.stock[doc] !== (f.inStock ? 1 : 0)) return false;
    for (const a of f.attrs) if (!this.attributesOf(doc).includes(a)) return false;
    return true;
  }
}

export interface CompiledFilter {
  category: number;
  brands: Set<number> | undefined;
  attrs: number[];
  minPrice: number;
  maxPrice: number;
  hasPrice: boolean;
  minRating: number | undefined;
  inStock: boolean | undefined;
}

/** Whether a compiled filter restricts anything (most queries have none: skip the per-match check). */
export function hasFilter(f: CompiledFilter): boolean {
  return (
    f.category >= 0 ||
    f.brands !== undefined ||
    f.hasPrice ||
    f.minRating !== undefined ||
    f.inStock !== undefined ||
    f.attrs.length > 0
  );
}

function growF64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap).fill(NaN);
  b.set(a);
  return b;
}
