import { describe, expect, it } from 'vitest';
import { attributeFeatures, parseItemAttributes } from './attributes.ts';

describe('item attributes', () => {
  const itemIds = ['a', 'b', 'c', 'd'];
  // attribute 1 is on three items (common), 7 on two, 9 on one; d has none
  const attrs = parseItemAttributes(JSON.stringify({ a: [1, 7], b: [1, 7, 7], c: [1, 9], zz: [3] }), itemIds);

  it('maps items to distinct attributes with inverse document frequency', () => {
    expect(Array.from(attrs.offsets)).toEqual([0, 2, 4, 6, 6]);
    const idf = (n: number) => Math.log(5 / (n + 1));
    expect(attrs.idf[0]).toBeCloseTo(idf(3));
    expect(attrs.idf[1]).toBeCloseTo(idf(2));
    expect(attrs.idf[2]).toBeCloseTo(idf(1));
  });

  it('scores overlap with the last item and with the history profile', () => {
    const x = new Float32Array(3 * 2);
    attributeFeatures(attrs, [2, 0], Int32Array.of(1, 2, 3), x, 2, 0, new Float64Array(attrs.idf.length));
    const [i1, i7, i9] = [attrs.idf[0]!, attrs.idf[1]!, attrs.idf[2]!];
    // b shares 1 and 7 with the last item a
    expect(x[0]).toBeCloseTo(i1 + i7);
    // c shares only 1 with a; its profile share: 1 seen at ages 0 and 1, 9 at age 1 (weight 0.7)
    expect(x[2]).toBeCloseTo(i1);
    expect(x[3]).toBeCloseTo((i1 * 1.7 + i9 * 0.7) / (i1 + i9));
    // d has no attributes
    expect([x[4], x[5]]).toEqual([0, 0]);
  });
});
