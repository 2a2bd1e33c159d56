// One entry to train any of the model families by name; `best` is what the service and the topk command use.
import type { Interactions } from './interactions.ts';
import type { RecModel } from './model.ts';
import { trainCooccurrence, trainPopularity } from './baselines.ts';
import { trainItemKnn } from './itemknn.ts';
import { trainMixture } from './mixture.ts';

export const MODEL_KINDS = ['popularity', 'cooccurrence', 'itemknn', 'mixture'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const BEST_MODEL: ModelKind = 'mixture';

export function trainModel(log: Interactions, kind: ModelKind = BEST_MODEL): RecModel {
  switch (kind) {
    case 'popularity':
      return trainPopularity(log);
    case 'cooccurrence':
      return trainCooccurrence(log);
    case 'itemknn':
      return trainItemKnn(log);
    case 'mixture':
      return trainMixture(log);
  }
}
