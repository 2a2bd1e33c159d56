import { describe, expect, it } from 'vitest';
import { fitLinearRanker, seededRandom, standardisation } from './ranker-fit.ts';
import type { RankingGroup } from './ranker-fit.ts';

describe('linear listwise ranker', () => {
  it('weighs up the feature that marks the chosen item and ignores noise', () => {
    const rand = seededRandom(7);
    const groups: RankingGroup[] = [];
    for (let u = 0; u < 300; u++) {
      const target = Math.floor(rand() * 4);
      // feature 0: larger for the target; feature 1: pure noise
      const x = Float32Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? rand() + (i / 2 === target ? 1 : 0) : rand(),
      );
      groups.push({ x, n: 4, target });
    }
    const fit = fitLinearRanker(groups, 2, { epochs: 20 });
    expect(fit.weights[0]!).toBeGreaterThan(1);
    expect(Math.abs(fit.weights[1]!)).toBeLessThan(fit.weights[0]! / 5);
  });

  it('standardises to zero mean and unit scale, leaving constant features at scale 1', () => {
    const { mean, scale } = standardisation([{ x: Float32Array.of(1, 5, 3, 5), n: 2, target: 0 }], 2);
    expect(Array.from(mean)).toEqual([2, 5]);
    expect(Array.from(scale)).toEqual([1, 1]);
  });
});
