// The best model by measurement: next-item transitions from the last items plus a vote of similar sequences.
import type { Interactions } from './interactions.ts';
import { itemCount } from './interactions.ts';
import type { RecModel } from './model.ts';
import { itemFrequencies, newVersion, popularityFrom } from './model.ts';
import { pairNeighbours } from './itemknn.ts';
import type { SessionParams } from './sessions.ts';
import { buildSessionIndex, defaultSessionParams } from './sessions.ts';

export interface MixtureParams extends SessionParams {
  transitionWeight: number;
  /** transition score = count(a -> b) / freq(a)^transitionAlpha */
  transitionAlpha: number;
  sessionWeight: number;
  popularityWeight: number;
  topN: number;
}

export const defaultMixtureParams: MixtureParams = {
  ...defaultSessionParams,
  transitionWeight: 0.1,
  transitionAlpha: 0,
  sessionWeight: 1,
  popularityWeight: 0.001,
  topN: 200,
};

export function trainMixture(log: Interactions, params: Partial<MixtureParams> = {}): RecModel {
  const p = { ...defaultMixtureParams, ...params };
  const transitions = pairNeighbours(log, {
    window: 1,
    decay: 1,
    backward: 0,
    userExponent: 0,
    alpha: p.transitionAlpha,
    beta: 0,
    topN: p.topN,
  });
  const w = p.transitionWeight;
  const pop = popularityFrom(itemFrequencies(itemCount(log), log.items));
  return {
    kind: 'mixture',
    version: newVersion('mixture'),
    trainedAt: new Date().toISOString(),
    params: { ...p },
    itemIds: log.itemIds,
    ...pop,
    popularityWeight: p.popularityWeight,
    components: [
      { name: 'next-item', neighbours: transitions, positionWeights: Float32Array.of(w, w / 2, w / 4) },
    ],
    sessions: { index: buildSessionIndex(log), params: p, weight: p.sessionWeight },
  };
}
