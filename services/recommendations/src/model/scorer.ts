// Top-k scoring entry: the first stage alone, or the first stage's candidates re-scored by a learned ranker.
import type { RecModel } from './model.ts';
import type { Ranked } from './first-stage.ts';
import { firstStage } from './first-stage.ts';
import { rerankTopK } from './rerank.ts';

export type { Ranked } from './first-stage.ts';

/**
 * Ranks items for a history (indices, time order) and returns the best k. History items and `exclude` are never
 * returned; `keep` (if given) must accept an item for it to be returned.
 */
export function rankTopK(
  model: RecModel,
  history: ArrayLike<number>,
  k: number,
  exclude: ArrayLike<number> = [],
  keep?: (item: number) => boolean,
): Ranked {
  return model.ranker
    ? rerankTopK(model, model.ranker, history, k, exclude, keep)
    : firstStage(model, history, k, exclude, keep);
}
