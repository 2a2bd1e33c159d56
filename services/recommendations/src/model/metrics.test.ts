import { describe, expect, it } from 'vitest';
import { hitAt, ndcgAt, summarise } from './metrics.ts';

describe('ranking metrics', () => {
  it('counts a hit only within the cut-off', () => {
    expect(hitAt(1, 10)).toBe(1);
    expect(hitAt(10, 10)).toBe(1);
    expect(hitAt(11, 10)).toBe(0);
    expect(hitAt(0, 10)).toBe(0);
  });

  it('discounts by log2(rank + 1)', () => {
    expect(ndcgAt(1, 10)).toBe(1);
    expect(ndcgAt(3, 10)).toBeCloseTo(0.5, 12);
    expect(ndcgAt(15, 10)).toBe(0);
  });

  it('averages over users: ranks 1, 3, 15 and a miss', () => {
    const m = summarise([1, 3, 15, 0]);
    expect(m.hr10).toBeCloseTo(2 / 4, 12);
    expect(m.hr20).toBeCloseTo(3 / 4, 12);
    expect(m.ndcg10).toBeCloseTo((1 + 0.5) / 4, 12);
    expect(m.ndcg20).toBeCloseTo((1 + 0.5 + 0.25) / 4, 12);
  });
});
