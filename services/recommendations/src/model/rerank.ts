// Second stage: features for the first stage's candidates, and the learned ranker that re-scores them.
import type { Ranker, RecModel } from './model.ts';
import type { Ranked } from './first-stage.ts';
import { firstStage } from './first-stage.ts';
import { forestScore } from './gbdt.ts';
import { ATTRIBUTE_FEATURES, attributeFeatures } from './attributes.ts';

/** Features in the order `candidateFeatures` writes them. */
export function featureNames(model: RecModel, ranker: Pick<Ranker, 'itemSignals' | 'attributes'>): string[] {
  const names: string[] = [];
  for (const c of model.components) {
    for (let p = 0; p < c.positionWeights.length; p++) names.push(`${c.name}@${p}`);
  }
  if (model.sessions) names.push('session-vote');
  names.push('first-stage-score', 'first-stage-rank');
  for (const s of ranker.itemSignals) names.push(s.name);
  names.push('history-length', 'last-item-popularity');
  if (ranker.attributes) names.push(...ATTRIBUTE_FEATURES);
  return names;
}

const counts = new WeakMap<object, number>();

/** featureNames(...).length, without building the names on every request. */
function featureCount(model: RecModel, ranker: Pick<Ranker, 'itemSignals' | 'attributes'>): number {
  let n = counts.get(ranker);
  if (n === undefined) {
    n = featureNames(model, ranker).length;
    counts.set(ranker, n);
  }
  return n;
}

export interface CandidateFeatures {
  readonly items: Int32Array;
  /** Row-major, items.length x featureCount, already log1p-compressed. */
  readonly x: Float32Array;
  readonly featureCount: number;
}

interface Scratch {
  slot: Int32Array;
  /** Session-vote credit per item, gathered during the first stage; `voted` lists the items to reset. */
  vote: Float64Array;
  voted: Int32Array;
  profile?: Float64Array;
}

const scratches = new WeakMap<RecModel, Scratch>();

function scratchFor(model: RecModel): Scratch {
  let s = scratches.get(model);
  if (!s) {
    const n = model.itemIds.length;
    s = { slot: new Int32Array(n).fill(-1), vote: new Float64Array(n), voted: new Int32Array(n) };
    scratches.set(model, s);
  }
  return s;
}

export function candidateFeatures(
  model: RecModel,
  ranker: Pick<Ranker, 'candidates' | 'itemSignals' | 'attributes'>,
  history: ArrayLike<number>,
  exclude: ArrayLike<number> = [],
  keep?: (item: number) => boolean,
): CandidateFeatures {
  const scratch = scratchFor(model);
  const { slot, vote, voted } = scratch;
  let nVoted = 0;
  const first = firstStage(model, history, ranker.candidates, exclude, keep, (item, score) => {
    if (score === 0) return;
    if (vote[item] === 0) voted[nVoted++] = item;
    vote[item]! += score;
  });
  const { items } = first;
  const C = items.length;
  const F = featureCount(model, ranker);
  const x = new Float32Array(C * F);
  for (let c = 0; c < C; c++) slot[items[c]!] = c;
  const L = history.length;
  let f = 0;
  for (const comp of model.components) {
    const { offsets, items: nb, scores } = comp.neighbours;
    for (let p = 0; p < comp.positionWeights.length; p++, f++) {
      if (p >= L) continue;
      const h = history[L - 1 - p]!;
      for (let j = offsets[h]!; j < offsets[h + 1]!; j++) {
        const s = slot[nb[j]!]!;
        if (s >= 0) x[s * F + f]! += scores[j]!;
      }
    }
  }
  if (model.sessions) {
    for (let c = 0; c < C; c++) x[c * F + f] = vote[items[c]!]!;
    f++;
  }
  for (let j = 0; j < nVoted; j++) vote[voted[j]!] = 0;
  for (let c = 0; c < C; c++) {
    const row = c * F;
    x[row + f] = first.scores[c]!;
    x[row + f + 1] = c;
    let g = f + 2;
    for (const signal of ranker.itemSignals) x[row + g++] = signal.values[items[c]!]!;
    x[row + g++] = L;
    x[row + g] = L > 0 ? model.popularity[history[L - 1]!]! * 1000 : 0;
  }
  if (ranker.attributes) {
    scratch.profile ??= new Float64Array(ranker.attributes.idf.length);
    attributeFeatures(
      ranker.attributes,
      history,
      items,
      x,
      F,
      F - ATTRIBUTE_FEATURES.length,
      scratch.profile,
    );
  }
  for (let c = 0; c < C; c++) slot[items[c]!] = -1;
  for (let i = 0; i < x.length; i++) x[i] = Math.log1p(Math.max(0, x[i]!));
  return { items, x, featureCount: F };
}

export function rankerScore(ranker: Ranker, x: Float32Array, row: number): number {
  const { mean, scale, weights } = ranker;
  let s = ranker.forest ? forestScore(ranker.forest, x, row) : 0;
  for (let f = 0; f < weights.length; f++) s += (weights[f]! * (x[row + f]! - mean[f]!)) / scale[f]!;
  return s;
}

/** Re-scores the first stage's candidates; with k above `candidates`, the tail keeps first-stage order. */
export function rerankTopK(
  model: RecModel,
  ranker: Ranker,
  history: ArrayLike<number>,
  k: number,
  exclude: ArrayLike<number> = [],
  keep?: (item: number) => boolean,
): Ranked {
  if (k > ranker.candidates) {
    const head = rerankTopK(model, ranker, history, ranker.candidates, exclude, keep);
    const tail = firstStage(model, history, k, exclude, keep);
    const items = Int32Array.from([...head.items, ...tail.items.subarray(head.items.length)]);
    // the tail ranks below every re-scored item, keeping its first-stage order
    let floor = Infinity;
    for (const v of head.scores) floor = Math.min(floor, v);
    const n = head.items.length;
    const scores = Float32Array.from(items, (_, i) => (i < n ? head.scores[i]! : floor - 1 - (i - n)));
    return { items, scores };
  }
  const { items, x, featureCount: F } = candidateFeatures(model, ranker, history, exclude, keep);
  const scores = Float64Array.from(items, (_, c) => rankerScore(ranker, x, c * F));
  const order = Array.from(items.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const top = order.slice(0, k);
  return { items: Int32Array.from(top, (c) => items[c]!), scores: Float32Array.from(top, (c) => scores[c]!) };
}
