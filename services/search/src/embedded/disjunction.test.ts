import { describe, expect, it } from 'vitest';
import type { ParsedQuery } from '../types.ts';
import { EmbeddedIndex } from './engine.ts';

const WORDS = ['kilo', 'lima', 'mike', 'golf'];

function query(text: string): ParsedQuery {
  return { text, phrases: [], filters: {}, sort: 'relevance', page: 1, perPage: 10_000 };
}

describe('windowed disjunction', () => {
  it('matches documents with any word across many windows, scored as the sum of their words', () => {
    const index = new EmbeddedIndex();
    const titles: string[][] = [];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 12_000; i++) {
      // Sparse and dense stretches, so some windows are empty and some full.
      const density = Math.floor(i / 3000) % 2 === 0 ? 0.02 : 0.6;
      const words = WORDS.filter(() => next() < density);
      titles.push(words);
      index.upsert({ id: String(i), title: [...words, 'filler'].join(' ') });
    }
    const found = index.search(query('kilo lima mike'));
    const expected = titles.flatMap((t, i) => (t.some((w) => w !== 'golf') ? [String(i)] : []));
    expect(found.total).toBe(expected.length);
    expect(found.hits.map((h) => h.id).sort()).toEqual(expected.sort());
    const single = new Map(
      ['kilo', 'lima', 'mike'].map((w) => [
        w,
        new Map(index.search(query(w)).hits.map((h) => [h.id, h.score])),
      ]),
    );
    for (const hit of found.hits.slice(0, 500)) {
      const sum = [...single.values()].reduce((s, m) => s + (m.get(hit.id) ?? 0), 0);
      expect(hit.score).toBeCloseTo(sum, 4);
    }
    // Two words need both: the rarer list drives the windows, the other skips to them.
    const both = index.search(query('kilo mike'));
    const expectedBoth = titles.flatMap((t, i) =>
      t.includes('kilo') && t.includes('mike') ? [String(i)] : [],
    );
    expect(both.hits.map((h) => h.id).sort()).toEqual(expectedBoth.sort());
    for (const hit of both.hits.slice(0, 500)) {
      const sum = (single.get('kilo')?.get(hit.id) ?? 0) + (single.get('mike')?.get(hit.id) ?? 0);
      expect(hit.score).toBeCloseTo(sum, 4);
    }
  });
});
