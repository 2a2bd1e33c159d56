import { describe, expect, it } from 'vitest';
import { fitGbdt, forestScore } from './gbdt.ts';
import type { RankingGroup } from './ranker-fit.ts';
import { seededRandom } from './ranker-fit.ts';

/** Groups of 5 candidates with 2 features; the target is the one whose features are both above 0.5 or both below. */
function xorGroups(count: number, seed: number): RankingGroup[] {
  const rand = seededRandom(seed);
  const groups: RankingGroup[] = [];
  while (groups.length < count) {
    const x = Float32Array.from({ length: 10 }, () => rand());
    const hits: number[] = [];
    for (let r = 0; r < 5; r++) if (x[r * 2]! > 0.5 === x[r * 2 + 1]! > 0.5) hits.push(r);
    if (hits.length === 1) groups.push({ x, n: 5, target: hits[0]! });
  }
  return groups;
}

function top1(groups: RankingGroup[], score: (x: Float32Array, row: number) => number): number {
  let right = 0;
  for (const g of groups) {
    let best = 0;
    for (let r = 1; r < g.n; r++) if (score(g.x, r * 2) > score(g.x, best * 2)) best = r;
    if (best === g.target) right++;
  }
  return right / groups.length;
}

describe('boosted trees for listwise ranking', () => {
  it('learns an interaction no single feature (and no linear score) reveals', () => {
    const forest = fitGbdt(xorGroups(600, 1), 2, { trees: 40, depth: 3, bins: 16 });
    const accuracy = top1(xorGroups(300, 2), (x, row) => forestScore(forest, x, row));
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('is reproducible for a given seed', () => {
    const groups = xorGroups(100, 3);
    const a = fitGbdt(groups, 2, { trees: 5, depth: 2 });
    const b = fitGbdt(groups, 2, { trees: 5, depth: 2 });
    expect(Array.from(a.value)).toEqual(Array.from(b.value));
  });
});
