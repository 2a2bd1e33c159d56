// Item-to-item neighbours from sequences: position-decayed windows in both directions, inverse user activity
// weighting, asymmetric normalisation. One component, geometric decay over the most recent history items.
import type { Interactions } from './interactions.ts';
import { itemCount, sequenceOf, userCount } from './interactions.ts';
import type { Component, RecModel } from './model.ts';
import { itemFrequencies, newVersion, popularityFrom } from './model.ts';
import type { NeighbourLists } from './neighbours.ts';
import { bucketPairs, reduceRows } from './neighbours.ts';

export interface PairParams {
  /** How many positions ahead (and behind) a pair may be apart. */
  window: number;
  /** Weight multiplier per extra position of distance (1 = flat window). */
  decay: number;
  /** Weight of "b came before a" relative to "b came after a". */
  backward: number;
  /** Each user's pairs are weighted by 1 / length^userExponent (inverse user activity). */
  userExponent: number;
  /** score = weighted count / (freq(a)^alpha * freq(b)^beta). */
  alpha: number;
  beta: number;
  topN: number;
  /** Pairs closer than this are skipped (lag-specific matrices). */
  minDistance?: number;
}

export interface ItemKnnParams extends PairParams {
  /** History positions used, most recent first, weighted historyDecay^p. */
  historyLength: number;
  historyDecay: number;
  popularityWeight: number;
}

export const defaultItemKnnParams: ItemKnnParams = {
  window: 3,
  decay: 0.3,
  backward: 0.1,
  userExponent: 0.5,
  alpha: 0.5,
  beta: 0,
  topN: 200,
  historyLength: 5,
  historyDecay: 0.5,
  popularityWeight: 0.001,
};

export function pairNeighbours(
  log: Interactions,
  p: PairParams,
  rows?: { from: number; to: number },
): NeighbourLists {
  const n = itemCount(log);
  const freq = itemFrequencies(n, log.items);
  const buckets = bucketPairs(n, (visit) => {
    for (let u = 0; u < userCount(log); u++) {
      const s = sequenceOf(log, u);
      const wu = 1 / Math.pow(s.length, p.userExponent);
      for (let i = 0; i < s.length; i++) {
        let w = wu;
        for (let d = 1; d <= p.window && i + d < s.length; d++) {
          const a = s[i]!;
          const b = s[i + d]!;
          if (d >= (p.minDistance ?? 1)) {
            visit(a, b, w);
            if (p.backward > 0) visit(b, a, w * p.backward);
          }
          w *= p.decay;
        }
      }
    }
  });
  const norm = (a: number, b: number, sum: number) =>
    sum / (Math.pow(freq[a]!, p.alpha) * Math.pow(freq[b]!, p.beta));
  return reduceRows(buckets, p.topN, norm, rows?.from, rows?.to);
}

export function geometricWeights(length: number, decay: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.pow(decay, i));
}

export function trainItemKnn(log: Interactions, params: Partial<ItemKnnParams> = {}): RecModel {
  const p = { ...defaultItemKnnParams, ...params };
  const component: Component = {
    name: 'item-item',
    neighbours: pairNeighbours(log, p),
    positionWeights: geometricWeights(p.historyLength, p.historyDecay),
  };
  const pop = popularityFrom(itemFrequencies(itemCount(log), log.items));
  return {
    kind: 'itemknn',
    version: newVersion('itemknn'),
    trainedAt: new Date().toISOString(),
    params: { ...p },
    itemIds: log.itemIds,
    ...pop,
    popularityWeight: p.popularityWeight,
    components: [component],
  };
}
