// The generated catalog as search documents, and a realistic query mix over it (bench/search.ts).
import { generateCatalog, type GeneratedRow } from '../../services/catalog/src/generator.ts';
import type { SearchDocument } from '../../services/search/src/types.ts';

export interface MixQuery {
  q: string;
  brand?: string;
  category?: string;
  minPrice?: string;
  maxPrice?: string;
  inStock?: boolean;
  minRating?: number;
  sort?: 'relevance' | 'price_asc' | 'price_desc' | 'rating';
}

const BASE_TIME = Date.parse('2024-01-01T00:00:00Z');

/** Deterministic per-index noise for what the generator does not produce (rating). */
function hash(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export const productId = (i: number) => `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;

export function toSearchDocument(row: GeneratedRow, i: number): SearchDocument {
  const amount = Math.min(...row.variants.map((v) => v.price.amount));
  return {
    id: productId(i),
    title: row.title,
    description: row.description,
    brand: row.brand,
    categoryPath: row.category.split('/'),
    attributes: row.attributes,
    price: { amount, currency: 'USD' },
    rating: 1 + (hash(i) % 41) / 10,
    inStock: row.variants.some((v) => v.stock > 0),
    createdAt: BASE_TIME + i * 1000,
    popularity: row.popularity,
    sales: Math.round(row.popularity / 10),
  };
}

export function* generatedDocuments(n: number, seed = 42): Generator<SearchDocument> {
  let i = 0;
  for (const row of generateCatalog(n, seed)) yield toSearchDocument(row, i++);
}

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every step-th document, as the pool queries are drawn from. */
export function samplePool(n: number, size: number, seed = 42): SearchDocument[] {
  const step = Math.max(1, Math.floor(n / size));
  const pool: SearchDocument[] = [];
  let i = 0;
  for (const doc of generatedDocuments(n, seed)) if (i++ % step === 0) pool.push(doc);
  return pool;
}

function typo(word: string, rnd: () => number): string {
  if (word.length < 5) return word;
  const at = 1 + Math.floor(rnd() * (word.length - 2));
  return rnd() < 0.5
    ? word.slice(0, at) + (word[at + 1] ?? '') + word[at] + word.slice(at + 2)
    : word.slice(0, at) + word.slice(at + 1);
}

/**
 * One to four words from what shoppers type about a product (noun, adjective, brand, attribute
 * value, category, model); 10% with a typo, 30% with a filter, some non-relevance sorts.
 */
export function queryMix(pool: SearchDocument[], count: number, seed = 7): MixQuery[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: MixQuery[] = [];
  for (let k = 0; k < count; k++) {
    const doc = pick(pool);
    const [brand, adjective, ...rest] = doc.title.split(' ');
    const model = rest.pop() as string;
    const noun = rest.join(' ');
    const words = [
      noun,
      adjective,
      brand,
      ...Object.values(doc.attributes ?? {}),
      doc.categoryPath?.at(-1),
      model,
    ];
    const r = rnd();
    const n = r < 0.35 ? 1 : r < 0.7 ? 2 : r < 0.9 ? 3 : 4;
    const chosen = [noun as string];
    while (chosen.length < n) {
      const w = pick(words);
      if (w && !chosen.includes(w)) chosen.push(w);
    }
    let q = chosen.reverse().join(' ').toLowerCase();
    if (rnd() < 0.1)
      q = q
        .split(' ')
        .map((w, i, all) => (i === all.length - 1 ? typo(w, rnd) : w))
        .join(' ');
    const query: MixQuery = { q };
    if (rnd() < 0.3) {
      const f = Math.floor(rnd() * 5);
      const price = doc.price?.amount ?? 1000;
      if (f === 0) query.brand = doc.brand;
      else if (f === 1)
        query.category = (doc.categoryPath ?? []).slice(0, 1 + Math.floor(rnd() * 2)).join('/');
      else if (f === 2) {
        // Minor units, as the search API takes them.
        query.minPrice = String(Math.round(price / 2));
        query.maxPrice = String(price * 2);
      } else if (f === 3) query.inStock = true;
      else query.minRating = 4;
    }
    const s = rnd();
    if (s > 0.85) query.sort = s > 0.95 ? 'rating' : s > 0.9 ? 'price_desc' : 'price_asc';
    out.push(query);
  }
  return out;
}

/** Type-ahead inputs: leading words of a title and a 1-4 letter start of the next one. */
export function typeaheadMix(pool: SearchDocument[], count: number, seed = 11): string[] {
  const rnd = random(seed);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const words = (pool[Math.floor(rnd() * pool.length)] as SearchDocument).title.toLowerCase().split(' ');
    const full = Math.floor(rnd() * Math.min(2, words.length - 1));
    const next = words[full] as string;
    out.push(
      [...words.slice(0, full), next.slice(0, 1 + Math.floor(rnd() * Math.min(4, next.length)))].join(' '),
    );
  }
  return out;
}

export function toParams(m: MixQuery): Record<string, string> {
  const p: Record<string, string> = { q: m.q };
  if (m.brand) p.brand = m.brand;
  if (m.category) p.category = m.category;
  if (m.minPrice) p.minPrice = m.minPrice;
  if (m.maxPrice) p.maxPrice = m.maxPrice;
  if (m.inStock !== undefined) p.inStock = String(m.inStock);
  if (m.minRating !== undefined) p.minRating = String(m.minRating);
  if (m.sort) p.sort = m.sort;
  return p;
}

export { percentile } from './stats.ts';
