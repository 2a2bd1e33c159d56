import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedQuery } from '../types.ts';
import { EmbeddedIndex } from './engine.ts';

const WORDS = ['kilo', 'lima', 'mike', 'golf', 'zulu'];

function query(text: string): ParsedQuery {
  return { text, phrases: [], filters: {}, sort: 'relevance', page: 1, perPage: 100 };
}

describe('document-at-a-time matching', () => {
  it('finds exactly the documents with both words of a two-word query, whatever the list lengths', () => {
    const title = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(title, { minLength: 1, maxLength: 60 }),
        fc.constantFrom(...WORDS),
        fc.constantFrom(...WORDS),
        (titles, a, b) => {
          const index = new EmbeddedIndex();
          titles.forEach((t, i) => index.upsert({ id: String(i), title: t.join(' ') }));
          const both = titles.flatMap((t, i) => (t.includes(a) && t.includes(b) ? [String(i)] : []));
          const either = titles.flatMap((t, i) => (t.includes(a) || t.includes(b) ? [String(i)] : []));
          const found = index.search(query(`${a} ${b}`));
          // Nothing with both words: the engine relaxes to any word.
          const expected = both.length > 0 ? both : either;
          expect(found.hits.map((h) => h.id).sort()).toEqual([...expected].sort());
          expect(found.total).toBe(expected.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
