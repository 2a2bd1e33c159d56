// One entry to train any of the model families by name; `best` is what the service and the topk command use.
import type { Interactions } from './interactions.ts';
import type { RecModel } from './model.ts';
import type { ItemAttributes } from './attributes.ts';
import { trainCooccurrence, trainPopularity } from './baselines.ts';
import { trainItemKnn } from './itemknn.ts';
import { trainMixture } from './mixture.ts';
import { trainReranked } from './reranked.ts';

export const MODEL_KINDS = ['popularity', 'cooccurrence', 'itemknn', 'mixture', 'reranked'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const BEST_MODEL: ModelKind = 'reranked';

export interface TrainOptions {
  /** Brand/category ids per item; only the re-ranked model uses them, and trains without them too. */
  attributes?: ItemAttributes;
  progress?: (message: string) => void;
}

export function trainModel(
  log: Interactions,
  kind: ModelKind = BEST_MODEL,
  options: TrainOptions = {},
): RecModel {
  switch (kind) {
    case 'popularity':
      return trainPopularity(log);
    case 'cooccurrence':
      return trainCooccurrence(log);
    case 'itemknn':
      return trainItemKnn(log);
    case 'mixture':
      return trainMixture(log);
    case 'reranked':
      return trainReranked(log, {}, options.attributes, options.progress);
  }
}
