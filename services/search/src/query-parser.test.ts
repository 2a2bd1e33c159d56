import { describe, expect, it } from 'vitest';
import { MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, parseQuery } from './query-parser.ts';

function ok(input: Parameters<typeof parseQuery>[0]) {
  const r = parseQuery(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.query;
}

describe('query parser', () => {
  it('takes keywords, phrases and inline filters apart', () => {
    const q = ok('cordless "hammer drill" brand:acme category:Tools/Drills price:1000..5000 rating>=4');
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
      minPrice: '500',
      inStock: 'true',
      sort: 'price_asc',
    });
    expect(q.filters.brands).toEqual(['acme', 'bosch']);
    expect(q.filters.minPrice).toBe(500);
    expect(q.filters.inStock).toBe(true);
    expect(q.sort).toBe('price_asc');
  });

  it('accepts open price ranges and quoted filter values', () => {
    expect(ok('price:..2000').filters).toEqual({ maxPrice: 2000 });
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
    ['price:9.99..20', 'price'],
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

  it('reads prices in parameters and inline filters in minor units, as the facet buckets', () => {
    expect(ok({ minPrice: '1000', maxPrice: '2499' }).filters).toEqual({ minPrice: 1000, maxPrice: 2499 });
    expect(ok('saw price>=2500').filters).toEqual({ minPrice: 2500 });
    expect(parseQuery({ minPrice: '9.99' }).ok).toBe(false);
  });
});

describe('price phrases in the text', () => {
  it.each([
    ['phone under 300', 'phone', { maxPrice: 29_999 }],
    ['under $50', '', { maxPrice: 4_999 }],
    ['$100-$300 headphones', 'headphones', { minPrice: 10_000, maxPrice: 30_000 }],
    ['$100 - 300 headphones', 'headphones', { minPrice: 10_000, maxPrice: 30_000 }],
    ['tv over 200', 'tv', { minPrice: 20_001 }],
    ['rug between 20 and 50 dollars', 'rug', { minPrice: 2_000, maxPrice: 5_000 }],
    ['lamp less than $19.99', 'lamp', { maxPrice: 1_998 }],
    ['desk more than 1,000 dollars', 'desk', { minPrice: 100_001 }],
    ['chair below €80', 'chair', { maxPrice: 7_999 }],
    ['kettle max $40', 'kettle', { maxPrice: 4_000 }],
    ['Phone UNDER 300 black', 'Phone black', { maxPrice: 29_999 }],
    ['drill above 99, cordless', 'drill , cordless', { minPrice: 9_901 }],
  ])('%s becomes a price filter and leaves the text', (input, text, filters) => {
    const q = ok(input);
    expect(q.text).toBe(text);
    expect(q.filters).toEqual(filters);
  });

  it.each([
    '2x4 8 ft',
    '300 watt',
    'heater under 300 watt',
    'ladder over 6 ft',
    'toro power max 726',
    'stanley powermax 6',
    'cabinet closet  $100',
    'famed sliding door $289.00',
    'june 30 led undercabinet',
    'under cabinet led',
    'microwave over stove',
    '10-32 screws',
    'over 2 x 4',
    'thunder 300',
    '4x$ ceramic tile',
    'under 1/2 in pipe',
    'over 18v battery',
  ])('%s keeps its numbers as words and makes no price filter', (input) => {
    const q = ok(input);
    expect(q.filters).toEqual({});
    expect(q.text).toBe(input.split(/\s+/).join(' '));
  });

  it('lets the structured price parameters win over a phrase', () => {
    expect(ok({ q: 'phone under 300', maxPrice: '50000' }).filters).toEqual({ maxPrice: 50_000 });
  });

  it('keeps a price phrase inside quotes as a phrase', () => {
    const q = ok('"under 300" phone');
    expect(q.phrases).toEqual(['under 300']);
    expect(q.filters).toEqual({});
  });
});
