// The validation protocol: each user's history predicts their held-out item, full ranking, own items excluded.
import type { Interactions } from './interactions.ts';
import { sequenceOf, userCount } from './interactions.ts';
import type { RecModel } from './model.ts';
import type { RankingMetrics } from './metrics.ts';
import { summarise } from './metrics.ts';
import { rankTopK } from './scorer.ts';

/** 1-based rank of each user's target within the top `depth` (0 if absent); users without a target are skipped. */
export function targetRanks(
  model: RecModel,
  history: Interactions,
  targets: Int32Array,
  depth = 20,
  from = 0,
  to = userCount(history),
): Int32Array {
  const ranks: number[] = [];
  for (let u = from; u < to; u++) {
    const target = targets[u]!;
    if (target < 0) continue;
    const top = rankTopK(model, sequenceOf(history, u), depth).items;
    ranks.push(top.indexOf(target) + 1);
  }
  return Int32Array.from(ranks);
}

export function evaluate(model: RecModel, history: Interactions, targets: Int32Array): RankingMetrics {
  return summarise(targetRanks(model, history, targets));
}
