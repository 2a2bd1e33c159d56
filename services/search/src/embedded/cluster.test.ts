import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedQuery, SearchDocument } from '../types.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedIndex } from './engine.ts';
import { loadSnapshot } from './snapshot.ts';

const WORDS = ['kilo', 'lima', 'mike', 'golf', 'zulu', 'oscar'];
const PATHS = [['B', 'Y'], ['A'], ['A', 'X'], ['B'], []];
const BRANDS = ['Omega', 'acme', 'Zeta', undefined];

function query(text: string, filters: ParsedQuery['filters'] = {}): ParsedQuery {
  return { text, phrases: [], filters, sort: 'relevance', page: 1, perPage: 1000 };
}

const doc = fc.record({
  words: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }),
  path: fc.constantFrom(...PATHS),
  brand: fc.constantFrom(...BRANDS),
  removed: fc.boolean(),
});

describe('clustering doc ids', () => {
  it('changes no result set, score or facet count, and groups documents by category then brand', () => {
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 80 }), fc.constantFrom(...WORDS), (rows, w) => {
        const index = new EmbeddedIndex();
        rows.forEach((r, i) => {
          const d: SearchDocument = { id: `p${i}`, title: r.words.join(' '), categoryPath: r.path };
          if (r.brand) d.brand = r.brand;
          index.upsert(d);
        });
        rows.forEach((r, i) => r.removed && index.remove(`p${i}`));
        const queries = [
          query(`${w} golf mike`),
          query(w),
          query(`${w} kilo`),
          query('', { category: 'A' }),
          query(`${w} lima zulu`, { category: 'B' }),
          query(w, { category: 'B/Y' }),
          query(`${w} mike`, { brands: ['acme'] }),
          query(w, { brands: ['Zeta', 'omega'], category: 'B' }),
          query('', { brands: ['omega'] }),
        ];
        const before = queries.map((q) => index.search(q));
        index.cluster();
        const after = queries.map((q) => index.search(q));
        after.forEach((a, k) => {
          const b = before[k] as (typeof before)[number];
          const byId = (r: typeof a) => new Map(r.hits.map((h) => [h.id, h.score]));
          expect(byId(a)).toEqual(byId(b));
          expect(a.facets).toEqual(b.facets);
        });
        const keys = index.docs.map((d) => [(d?.categoryPath ?? []).join('/'), d?.brand ?? ''] as const);
        const order = (x: readonly [string, string], y: readonly [string, string]) =>
          x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
        expect(index.docs.every((d) => d !== undefined)).toBe(true);
        expect(index.size()).toBe(rows.filter((r) => !r.removed).length);
        expect(keys).toEqual([...keys].sort(order));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps serving updates after clustering: new documents append, updates replace', () => {
    const index = new EmbeddedIndex();
    index.upsert({ id: 'a', title: 'red kettle', categoryPath: ['Z'] });
    index.upsert({ id: 'b', title: 'blue kettle', categoryPath: ['A'] });
    index.cluster();
    index.upsert({ id: 'c', title: 'green kettle', categoryPath: ['M'] });
    index.upsert({ id: 'a', title: 'red teapot', categoryPath: ['Z'] });
    expect(
      index
        .search(query('kettle'))
        .hits.map((h) => h.id)
        .sort(),
    ).toEqual(['b', 'c']);
    expect(index.search(query('teapot')).hits.map((h) => h.id)).toEqual(['a']);
  });

  it('finds documents added or moved after clustering under a category filter, also after a snapshot', async () => {
    const index = new EmbeddedIndex();
    index.upsert({ id: 'a', title: 'red kettle', categoryPath: ['Kitchen', 'Kettles'] });
    index.upsert({ id: 'b', title: 'blue kettle', categoryPath: ['Garden'] });
    index.upsert({ id: 'c', title: 'kettle drum', categoryPath: ['Music'] });
    index.cluster();
    index.upsert({ id: 'd', title: 'steel kettle', categoryPath: ['Kitchen'] });
    index.upsert({ id: 'b', title: 'blue kettle', categoryPath: ['Kitchen', 'Kettles'] });
    const inKitchen = (i: EmbeddedIndex) =>
      i
        .search(query('kettle', { category: 'Kitchen' }))
        .hits.map((h) => h.id)
        .sort();
    expect(inKitchen(index)).toEqual(['a', 'b', 'd']);
    const file = join(await mkdtemp(join(tmpdir(), 'cluster-')), 'index.snap');
    await index.saveSnapshot(file);
    const loaded = await loadSnapshot(file);
    expect(loaded.layout.end).toBe(2);
    expect(inKitchen(loaded)).toEqual(['a', 'b', 'd']);
    expect(loaded.search(query('', { category: 'Music' })).hits.map((h) => h.id)).toEqual(['c']);
  });

  it('finds a brand across categories and since clustering under a brand filter', () => {
    const index = new EmbeddedIndex();
    index.upsert({ id: 'a', title: 'red kettle', categoryPath: ['Kitchen'], brand: 'Acme' });
    index.upsert({ id: 'b', title: 'blue kettle', categoryPath: ['Garden'], brand: 'Acme' });
    index.upsert({ id: 'c', title: 'green kettle', categoryPath: ['Garden'], brand: 'Other' });
    index.cluster();
    index.upsert({ id: 'd', title: 'steel kettle', categoryPath: ['Music'], brand: 'acme' });
    const ids = (filters: ParsedQuery['filters']) =>
      index
        .search(query('kettle', filters))
        .hits.map((h) => h.id)
        .sort();
    expect(ids({ brands: ['Acme'] })).toEqual(['a', 'b', 'd']);
    expect(ids({ brands: ['Acme'], category: 'Garden' })).toEqual(['b']);
    expect(ids({ brands: ['Other', 'Acme'], category: 'Garden' })).toEqual(['b', 'c']);
    // One brand named twice (names are case-insensitive) is one brand, not two ranges.
    expect(index.search(query('kettle', { brands: ['Acme', 'acme'] })).total).toBe(3);
  });

  it('keeps every category subtree in one run of ids, whatever its siblings are called', () => {
    const index = new EmbeddedIndex();
    const paths = [
      ['Tools', 'Power Tools'],
      ['Tools', 'Power', 'Drills'],
      ['Tools', 'Power'],
      ['Tools', 'Power-Saws'],
    ];
    for (let i = 0; i < 40; i++)
      index.upsert({ id: `p${i}`, title: 'tool', categoryPath: paths[i % paths.length] });
    index.cluster();
    const node = index.cols.categoryNodes.find('Tools/Power') as number;
    const [from, to] = index.layout.rangesFor(node, undefined) as number[];
    const inRange = index.docs.slice(from, to).map((d) => d?.categoryPath?.join('/'));
    expect(new Set(inRange)).toEqual(new Set(['Tools/Power', 'Tools/Power/Drills']));
    expect(inRange).toHaveLength(20);
  });
});
