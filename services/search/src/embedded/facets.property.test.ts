import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedQuery, SearchDocument, SearchFilters } from '../types.ts';
import { EmbeddedIndex } from './engine.ts';

const WORDS = ['drill', 'saw', 'pipe', 'lamp', 'paint', 'tile'];
const BRANDS = ['Acme', 'Bosch', 'Delta'];
const CATEGORIES = [['Tools'], ['Tools', 'Drills'], ['Tools', 'Saws'], ['Home', 'Lighting'], ['Home']];

const docArb = fc.record(
  {
    title: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
    brand: fc.constantFrom(...BRANDS),
    categoryPath: fc.constantFrom(...CATEGORIES),
    price: fc.integer({ min: 0, max: 300_000 }).map((amount) => ({ amount, currency: 'USD' })),
    rating: fc.double({ min: 0, max: 5, noNaN: true }),
    inStock: fc.boolean(),
    attributes: fc.record({ color: fc.constantFrom('red', 'blue') }),
  },
  { requiredKeys: ['title'] },
);

function query(text: string, filters: SearchFilters): ParsedQuery {
  return { text, phrases: [], filters, sort: 'relevance', page: 1, perPage: 10 };
}

describe('facets and filters agree', () => {
  it('the count of every facet value equals the total with that value as a filter', () => {
    fc.assert(
      fc.property(
        fc.array(docArb, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('', ...WORDS),
        fc.option(fc.constantFrom(...BRANDS), { nil: undefined }),
        (docs, text, brand) => {
          const index = new EmbeddedIndex();
          docs.forEach((d, i) => index.upsert({ id: String(i), ...d } as SearchDocument));
          const base: SearchFilters = brand ? { brands: [brand] } : {};
          const { facets, total } = index.search(query(text, base));
          const totalWith = (extra: SearchFilters) => index.search(query(text, { ...base, ...extra })).total;
          for (const f of facets.brand) expect(totalWith({ brands: [f.value] })).toBe(f.count);
          for (const f of facets.category) expect(totalWith({ category: f.value })).toBe(f.count);
          for (const f of facets.rating) expect(totalWith({ minRating: Number(f.value) })).toBe(f.count);
          for (const f of facets.inStock) expect(totalWith({ inStock: f.value === 'true' })).toBe(f.count);
          for (const b of facets.price) expect(totalWith({ minPrice: b.from, maxPrice: b.to })).toBe(b.count);
          for (const [key, values] of Object.entries(facets.attributes)) {
            for (const v of values) expect(totalWith({ attributes: { [key]: v.value } })).toBe(v.count);
          }
          expect(facets.price.reduce((s, b) => s + b.count, 0)).toBe(totalWith({ minPrice: 0 }));
          expect(facets.brand.reduce((s, b) => s + b.count, 0)).toBeLessThanOrEqual(total);
        },
      ),
      { numRuns: 150 },
    );
  });
});
