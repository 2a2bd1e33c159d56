import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Completions } from './completions.ts';
import { Suggester } from './suggest.ts';

function bruteForce(counts: Map<string, number>, prefix: string, limit: number) {
  return [...counts]
    .filter(([k, c]) => c > 0 && k.startsWith(prefix))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([key, count]) => ({ key, count }));
}

describe('Completions', () => {
  it('returns the most frequent keys of a prefix, before and after re-sorting, through updates', () => {
    const key = fc.stringMatching(/^[abc]{1,4}$/);
    const op = fc.tuple(key, fc.integer({ min: -2, max: 3 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.array(op, { maxLength: 50 }), (ops, later) => {
        const c = new Completions();
        const expected = new Map<string, number>();
        const apply = ([k, d]: [string, number]) => {
          c.add(k, d);
          if (expected.has(k) || d > 0) expected.set(k, Math.max(0, (expected.get(k) ?? 0) + d));
        };
        ops.forEach(apply);
        for (const p of ['', 'a', 'ab', 'cc']) expect(c.complete(p, 5)).toEqual(bruteForce(expected, p, 5));
        c.rebuild();
        later.forEach(apply);
        for (const p of ['', 'a', 'ba', 'c']) expect(c.complete(p, 5)).toEqual(bruteForce(expected, p, 5));
      }),
      { numRuns: 200 },
    );
  });
});

describe('Suggester', () => {
  const titles = [
    'Cordless Drill 18V',
    'Cordless Drill Kit',
    'Cordless Driver',
    'Drill Bits Set',
    'Corded Drill',
  ];

  it('completes the first word by how many titles carry it, and later words after the one before', () => {
    const s = new Suggester();
    titles.forEach((t) => s.index(t, 1));
    expect(s.suggest('dr', 2)).toEqual([
      { text: 'drill', count: 4 },
      { text: 'driver', count: 1 },
    ]);
    expect(s.suggest('cordless dr', 5)).toEqual([
      { text: 'cordless drill', count: 2 },
      { text: 'cordless driver', count: 1 },
    ]);
    expect(s.suggest('cordless ', 5).map((x) => x.text)).toEqual(['cordless drill', 'cordless driver']);
  });

  it('completes the word alone when no title has the pair, and forgets removed titles', () => {
    const s = new Suggester();
    titles.forEach((t) => s.index(t, 1));
    expect(s.suggest('set dri', 1)).toEqual([{ text: 'set drill', count: 4 }]);
    s.index('Corded Drill', -1);
    expect(s.suggest('cor', 5)).toEqual([{ text: 'cordless', count: 3 }]);
  });
});
