// The re-ranked model: mixture candidates, re-scored by a linear ranker fitted on an earlier hold-out.
// The ranker learns how to weigh transitions, the sequence vote and popularity signals from the log itself:
// we hide each sequence's last item, train the signals on the rest, and fit the ranker to pick the hidden item.
import type { Interactions } from './interactions.ts';
import { holdOutLast, itemCount, sequenceOf, userCount } from './interactions.ts';
import type { Component, ItemSignal, Ranker, RecModel } from './model.ts';
import { itemFrequencies, newVersion, popularityFrom } from './model.ts';
import type { MixtureParams } from './mixture.ts';
import { defaultMixtureParams } from './mixture.ts';
import { defaultItemKnnParams, pairNeighbours } from './itemknn.ts';
import { bucketPairs, reduceRows } from './neighbours.ts';
import { buildSessionIndex } from './sessions.ts';
import { candidateFeatures, featureNames } from './rerank.ts';
import type { LinearFitOptions, RankingGroup } from './ranker-fit.ts';
import { fitLinearRanker } from './ranker-fit.ts';
import type { GbdtOptions } from './gbdt.ts';
import { fitGbdt } from './gbdt.ts';
import type { ItemAttributes } from './attributes.ts';

export interface RerankedParams extends MixtureParams {
  candidates: number;
  /** At most this many users' hold-outs fit the ranker (bounds training time on large logs). */
  fitUsers: number;
  learner: 'linear' | 'gbdt';
  fit: Partial<LinearFitOptions>;
  gbdt: Partial<GbdtOptions>;
}

export const defaultRerankedParams: RerankedParams = {
  ...defaultMixtureParams,
  candidates: 100,
  fitUsers: 50_000,
  learner: 'gbdt',
  fit: {},
  gbdt: {},
};

const MIN_FIT_GROUPS = 20;

/** Counts of "b directly before a": the reverse of the next-item matrix. */
function previousItems(log: Interactions, topN: number) {
  const buckets = bucketPairs(itemCount(log), (visit) => {
    for (let u = 0; u < userCount(log); u++) {
      const s = sequenceOf(log, u);
      for (let i = 0; i + 1 < s.length; i++) visit(s[i + 1]!, s[i]!, 1);
    }
  });
  return reduceRows(buckets, topN, (_a, _b, sum) => sum);
}

/** How often each item closes a sequence, and sits in its last three places: recent demand, without timestamps. */
function tailSignals(log: Interactions): ItemSignal[] {
  const last = new Float32Array(itemCount(log));
  const recent = new Float32Array(itemCount(log));
  for (let u = 0; u < userCount(log); u++) {
    const s = sequenceOf(log, u);
    if (s.length > 0) last[s[s.length - 1]!]!++;
    for (let i = Math.max(0, s.length - 3); i < s.length; i++) recent[s[i]!]!++;
  }
  return [
    { name: 'popularity', values: Float32Array.from(itemFrequencies(itemCount(log), log.items)) },
    { name: 'last-count', values: last },
    { name: 'recent-count', values: recent },
  ];
}

/** The signals and first stage, without fitted weights. */
export function buildSignals(
  log: Interactions,
  p: RerankedParams,
  attributes?: ItemAttributes,
): RecModel & { ranker: Ranker } {
  const n = itemCount(log);
  const pair = { decay: 1, backward: 0, userExponent: 0, beta: 0, topN: p.topN };
  const next = pairNeighbours(log, { ...pair, window: 1, alpha: 0 });
  const share = pairNeighbours(log, { ...pair, window: 1, alpha: 1 });
  const skip = pairNeighbours(log, { ...pair, window: 2, minDistance: 2, alpha: 0 });
  const w = p.transitionWeight;
  const components: Component[] = [
    // first-stage weights reproduce the mixture; the others feed the ranker only
    { name: 'next-item', neighbours: next, positionWeights: Float32Array.of(w, w / 2, w / 4) },
    { name: 'next-item-share', neighbours: share, positionWeights: Float32Array.of(0, 0) },
    { name: 'skip-item', neighbours: skip, positionWeights: Float32Array.of(0) },
    { name: 'previous-item', neighbours: previousItems(log, p.topN), positionWeights: Float32Array.of(0) },
    {
      name: 'item-item',
      neighbours: pairNeighbours(log, defaultItemKnnParams),
      positionWeights: Float32Array.of(0, 0),
    },
  ];
  const pop = popularityFrom(itemFrequencies(n, log.items));
  const base: RecModel = {
    kind: 'reranked',
    version: newVersion('reranked'),
    trainedAt: new Date().toISOString(),
    params: { ...p, fit: JSON.stringify(p.fit), gbdt: JSON.stringify(p.gbdt) },
    itemIds: log.itemIds,
    ...pop,
    popularityWeight: p.popularityWeight,
    components,
    sessions: { index: buildSessionIndex(log), params: p, weight: p.sessionWeight },
  };
  const itemSignals = tailSignals(log);
  const names = featureNames(base, { itemSignals, attributes });
  const F = names.length;
  const ranker: Ranker = {
    candidates: p.candidates,
    itemSignals,
    ...(attributes ? { attributes } : {}),
    featureNames: names,
    mean: new Float32Array(F),
    scale: new Float32Array(F).fill(1),
    weights: new Float32Array(F),
  };
  return { ...base, ranker };
}

/** Candidates and features for each user's hidden item, keeping users whose item is among the candidates. */
export function rankingGroups(
  model: RecModel & { ranker: Ranker },
  history: Interactions,
  targets: Int32Array,
  maxUsers: number,
): RankingGroup[] {
  const groups: RankingGroup[] = [];
  const n = userCount(history);
  const stride = Math.max(1, n / maxUsers);
  for (let i = 0; i < n; i += stride) {
    const u = Math.floor(i);
    const target = targets[u]!;
    if (target < 0) continue;
    const { items, x } = candidateFeatures(model, model.ranker, sequenceOf(history, u));
    const slot = items.indexOf(target);
    if (slot >= 0) groups.push({ x, n: items.length, target: slot });
  }
  return groups;
}

export function trainReranked(
  log: Interactions,
  params: Partial<RerankedParams> = {},
  attributes?: ItemAttributes,
  progress: (message: string) => void = () => {},
): RecModel {
  const p = { ...defaultRerankedParams, ...params };
  const { train, targets } = holdOutLast(log);
  progress('re-ranker: signals on the log without each last item');
  const inner = buildSignals(train, p, attributes);
  const groups = rankingGroups(inner, train, targets, p.fitUsers);
  progress(`re-ranker: ${groups.length} users' hidden items among their ${p.candidates} candidates`);
  const F = inner.ranker.featureNames.length;
  const model = buildSignals(log, p, attributes);
  if (groups.length < MIN_FIT_GROUPS) {
    // too few examples to learn from: zero weights keep the first-stage (mixture) order
    progress(`re-ranker: fewer than ${MIN_FIT_GROUPS} examples, keeping the first-stage order`);
    return { ...model, params: { ...model.params, fitGroups: groups.length } };
  }
  if (p.learner === 'gbdt') {
    const forest = fitGbdt(groups, F, p.gbdt, (tree, loss) =>
      progress(`re-ranker: ${tree} trees, loss ${loss.toFixed(4)}`),
    );
    return {
      ...model,
      params: { ...model.params, fitGroups: groups.length },
      ranker: { ...model.ranker, forest },
    };
  }
  const fit = fitLinearRanker(groups, F, p.fit);
  const ranker: Ranker = { ...model.ranker, mean: fit.mean, scale: fit.scale, weights: fit.weights };
  return { ...model, params: { ...model.params, fitGroups: groups.length, fitLoss: fit.loss }, ranker };
}
