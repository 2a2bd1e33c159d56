import { describe, expect, it } from 'vitest';
import { MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, parseQuery } from './query-parser.ts';

function ok(input: Parameters<typeof parseQuery>[0]) {
  const r = parseQuery(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.query;
}

describe('query parser', () => {
  it('takes keywords, phrases and inline filters apart', () => {
    const q = ok('cordless "hammer drill" brand:acme category:Tools/Drills price:10..50 rating>=4');
    expect(q.text).toBe('cordless');
    expect(q.phrases).toEqual(['hammer drill']);
    expect(q.filters).toEqual({
      brands: ['acme'],
      category: 'Tools/Drills',
      minPrice: 1000,
      maxPrice: 5000,
      minRating: 4,
    });
  });

  it('merges structured parameters with inline filters', () => {
    const q = ok({
      q: 'drill brand:acme',
      brand: 'bosch',
      minPrice: '5',
      inStock: 'true',
      sort: 'price_asc',
    });
    expect(q.filters.brands).toEqual(['acme', 'bosch']);
    expect(q.filters.minPrice).toBe(500);
    expect(q.filters.inStock).toBe(true);
    expect(q.sort).toBe('price_asc');
  });

  it('accepts open price ranges and quoted filter values', () => {
    expect(ok('price:..20').filters).toEqual({ maxPrice: 2000 });
    expect(ok('brand:"black decker" saw').filters.brands).toEqual(['black decker']);
  });

  it('reads a quote after a digit as an inch mark, not a phrase', () => {
    const q = ok('1/2" copper pipe');
    expect(q.phrases).toEqual([]);
    expect(q.text).toContain('in');
  });

  it.each([
    ['price:abc', 'price'],
    ['price:10-50', 'price'],
    ['rating>=9', 'rating'],
    ['instock:maybe', 'inStock'],
  ])('returns a Validation error for %s', (input, field) => {
    const r = parseQuery(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('Validation');
      expect(r.error.fields[0]?.field).toBe(field);
    }
  });

  it('rejects an unknown sort and an inverted price range', () => {
    expect(parseQuery({ q: 'x', sort: 'cheapest' }).ok).toBe(false);
    expect(parseQuery({ minPrice: '50', maxPrice: '10' }).ok).toBe(false);
  });

  it('clamps absurd pages and page sizes instead of failing', () => {
    const q = ok({ q: 'saw', page: '99999999', perPage: '5000' });
    expect(q.page).toBe(MAX_PAGE);
    expect(q.perPage).toBe(MAX_PER_PAGE);
    expect(ok({ page: '-3', perPage: 'many' })).toMatchObject({ page: 1, perPage: 24 });
  });

  it('truncates a 10 KB query and blanks control characters', () => {
    const q = ok('drill\u0000\u0007 bit '.repeat(1000));
    expect(q.text.length).toBeLessThanOrEqual(MAX_QUERY_LENGTH);
    expect([...q.text].some((c) => c.charCodeAt(0) < 32 && c !== ' ')).toBe(false);
    expect(q.text.split(' ').length).toBeLessThanOrEqual(32);
  });
});
