import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../query-parser.ts';
import { parseSynonyms } from '../synonyms.ts';
import type { ParsedQuery, SearchDocument } from '../types.ts';
import { EmbeddedIndex } from './engine.ts';
import { loadSnapshot, SnapshotError } from './snapshot.ts';
import { writeFile } from 'node:fs/promises';

function doc(id: string, title: string, extra: Partial<SearchDocument> = {}): SearchDocument {
  return { id, title, ...extra };
}

const CATALOG: SearchDocument[] = [
  doc('1', 'Cordless Hammer Drill 18-Volt', {
    brand: 'Acme',
    categoryPath: ['Tools', 'Drills'],
    price: { amount: 9900, currency: 'USD' },
    rating: 4.5,
    inStock: true,
    sales: 50,
    createdAt: 3,
  }),
  doc('2', 'Corded Drill 1/2 in. Chuck', {
    brand: 'Bosch',
    categoryPath: ['Tools', 'Drills'],
    price: { amount: 5900, currency: 'USD' },
    rating: 3.9,
    inStock: false,
    sales: 80,
    createdAt: 1,
  }),
  doc('3', 'Refrigerator with Ice Maker in Stainless Steel', {
    brand: 'Acme',
    categoryPath: ['Appliances', 'Refrigerators'],
    price: { amount: 129900, currency: 'USD' },
    rating: 4.8,
    inStock: true,
    sales: 5,
    createdAt: 2,
  }),
  doc('4', 'Copper Pipe .5" x 10 ft.', {
    brand: 'Mueller',
    categoryPath: ['Plumbing', 'Pipe'],
    price: { amount: 1899, currency: 'USD' },
    attributes: { material: 'copper' },
  }),
  doc('5', 'Drill Bit Set 29-Piece', {
    brand: 'Bosch',
    categoryPath: ['Tools', 'Accessories'],
    price: { amount: 2499, currency: 'USD' },
    rating: 4.1,
    inStock: true,
  }),
];

function q(input: Parameters<typeof parseQuery>[0]): ParsedQuery {
  const r = parseQuery(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.query;
}

function ids(index: EmbeddedIndex, input: Parameters<typeof parseQuery>[0]): string[] {
  return index.search(q(input)).hits.map((h) => h.id);
}

function build(synonyms = ''): EmbeddedIndex {
  const index = new EmbeddedIndex({ synonyms: parseSynonyms(synonyms) });
  index.upsertMany(CATALOG);
  return index;
}

describe('embedded index', () => {
  it('ranks the document that matches more of the query first', () => {
    expect(ids(build(), 'cordless drill')[0]).toBe('1');
  });

  it('matches sizes however they are written', () => {
    expect(ids(build(), '1/2 inch copper pipe')[0]).toBe('4');
  });

  it('tolerates a typo in a longer word but not in a short one', () => {
    expect(ids(build(), 'refridgerator')).toContain('3');
    expect(ids(build(), 'drll')).toEqual([]);
  });

  it('expands synonyms from the editable file', () => {
    expect(ids(build(), 'fridge')).toEqual([]);
    expect(ids(build('fridge, refrigerator'), 'fridge')).toEqual(['3']);
  });

  it('requires quoted phrases in order', () => {
    expect(ids(build(), '"hammer drill"')).toEqual(['1']);
    expect(ids(build(), '"drill hammer"')).toEqual([]);
  });

  it('filters by category subtree, brand, price, rating and stock', () => {
    const index = build();
    expect(ids(index, 'drill category:Tools').sort()).toEqual(['1', '2', '5']);
    expect(ids(index, 'drill brand:bosch').sort()).toEqual(['2', '5']);
    expect(ids(index, 'drill price:2000..6000').sort()).toEqual(['2', '5']);
    expect(ids(index, 'drill rating>=4').sort()).toEqual(['1', '5']);
    expect(ids(index, { q: 'drill', inStock: 'false' })).toEqual(['2']);
    expect(ids(index, 'pipe attr.material:copper')).toEqual(['4']);
    expect(ids(index, 'drill category:Nowhere')).toEqual([]);
  });

  it('counts facets over the whole match set, not the page', () => {
    const r = build().search(q({ q: 'drill', perPage: '1' }));
    expect(r.hits).toHaveLength(1);
    expect(r.total).toBe(3);
    expect(r.facets.brand).toEqual([
      { value: 'Bosch', count: 2 },
      { value: 'Acme', count: 1 },
    ]);
    expect(r.facets.category).toContainEqual({ value: 'Tools', count: 3 });
    expect(r.facets.category).toContainEqual({ value: 'Tools/Drills', count: 2 });
  });

  it('sorts by price, rating, newest and best-selling with missing values last', () => {
    const index = build();
    expect(ids(index, { q: 'drill', sort: 'price_asc' })).toEqual(['5', '2', '1']);
    expect(ids(index, { q: 'drill', sort: 'price_desc' })).toEqual(['1', '2', '5']);
    expect(ids(index, { q: 'drill', sort: 'newest' })).toEqual(['1', '2', '5']);
    expect(ids(index, { q: 'drill', sort: 'bestselling' })).toEqual(['2', '1', '5']);
    expect(ids(index, { sort: 'rating', perPage: '3' })).toEqual(['3', '1', '5']);
  });

  it('paginates and clamps pages past the result window', () => {
    const index = build();
    const all = ids(index, { q: 'drill', perPage: '100' });
    expect(ids(index, { q: 'drill', perPage: '1', page: '2' })).toEqual([all[1]]);
    const far = index.search(q({ q: 'drill', perPage: '100', page: '1000' }));
    expect(far.page).toBe(100);
    expect(far.hits).toEqual([]);
  });

  it('reflects updates and removals immediately', () => {
    const index = build();
    index.upsert(doc('2', 'Corded Impact Driver', { brand: 'Bosch' }));
    expect(ids(index, 'chuck')).toEqual([]);
    expect(ids(index, 'impact driver')).toEqual(['2']);
    expect(index.remove('2')).toBe(true);
    expect(ids(index, 'impact driver')).toEqual([]);
    expect(index.size()).toBe(4);
  });

  it('stays correct after compaction drops removed postings', () => {
    const index = new EmbeddedIndex();
    for (let i = 0; i < 3000; i++) index.upsert(doc(String(i % 500), `widget number ${i % 500} gen ${i}`));
    expect(index.size()).toBe(500);
    expect(index.search(q({ q: 'widget', perPage: '1' })).total).toBe(500);
    expect(index.deadPostings).toBeLessThan(index.totalPostings);
  });

  it('suggests completions as they are written in titles', () => {
    const s = build().suggest('dri');
    expect(s[0]).toEqual({ text: 'drill', count: 3 });
    expect(
      build()
        .suggest('cordless dr')
        .map((x) => x.text),
    ).toContain('cordless drill');
  });

  it('returns the same results after a snapshot round trip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'search-snap-'));
    try {
      const index = build();
      index.remove('3');
      const file = join(dir, 'index.snap');
      await index.saveSnapshot(file);
      const loaded = await loadSnapshot(file);
      expect(loaded.size()).toBe(4);
      for (const query of ['drill', 'copper pipe', 'refrigerator', 'brand:bosch']) {
        expect(ids(loaded, query)).toEqual(ids(index, query));
      }
      loaded.upsert(doc('9', 'Cordless Screwdriver'));
      expect(ids(loaded, 'cordless').sort()).toEqual(['1', '9']);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses a file that is not a snapshot of this version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'search-snap-'));
    try {
      await writeFile(join(dir, 'bad'), 'not a snapshot at all');
      await expect(loadSnapshot(join(dir, 'bad'))).rejects.toBeInstanceOf(SnapshotError);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
