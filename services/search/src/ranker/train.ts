/**
 * Training the linear re-ranker: pairwise logistic loss (RankNet with a linear scorer) over
 * candidate pairs of different gain, weighted by the gain difference, with L2 regularisation.
 * Cross-validation is by query folds: hyper-parameters are chosen on the training folds only
 * (nested), and the reported figure is NDCG@10 on held-out folds. Labels come from the caller,
 * so nothing here reads judgments.
 */
import { ndcgAt } from '../metrics.ts';
import { FEATURES } from './features.ts';
import { Ranker, type RankerModel } from './ranker.ts';

export interface TrainingQuery {
  id: string;
  docs: string[];
  rows: Float64Array[];
  /** Gain per candidate (0 for unjudged). */
  gains: number[];
  /** All judged gains of the query, for the ideal DCG. */
  allGains: Map<string, number>;
}

export interface HyperParams {
  l2: number;
  depth: number;
  epochs: number;
  learningRate: number;
}

export const GRID: HyperParams[] = [0, 1e-2].flatMap((l2) =>
  [30, 50].map((depth) => ({ l2, depth, epochs: 8, learningRate: 0.1 })),
);

/** Deterministic pseudo-random stream so training is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function foldOf(queryId: string, folds: number): number {
  let h = 2166136261;
  for (let i = 0; i < queryId.length; i++) h = Math.imul(h ^ queryId.charCodeAt(i), 16777619);
  return (h >>> 0) % folds;
}

function standardise(queries: TrainingQuery[], depth: number): { mean: number[]; std: number[] } {
  const n = FEATURES.length;
  const mean = new Array<number>(n).fill(0);
  const sq = new Array<number>(n).fill(0);
  let count = 0;
  for (const q of queries) {
    for (const x of q.rows.slice(0, depth)) {
      count++;
      for (let f = 0; f < n; f++) {
        mean[f] = (mean[f] as number) + (x[f] as number);
        sq[f] = (sq[f] as number) + (x[f] as number) ** 2;
      }
    }
  }
  const m = mean.map((s) => s / Math.max(1, count));
  const std = sq.map((s, f) => {
    const v = s / Math.max(1, count) - (m[f] as number) ** 2;
    return v > 1e-12 ? Math.sqrt(v) : 0;
  });
  return { mean: m, std };
}

export function trainModel(
  queries: TrainingQuery[],
  hp: HyperParams,
  priors: Record<string, number> = {},
): RankerModel {
  const { mean, std } = standardise(queries, hp.depth);
  const n = FEATURES.length;
  const w = new Float64Array(n);
  const zrows = queries.map((q) =>
    q.rows
      .slice(0, hp.depth)
      .map((x) =>
        Float64Array.from(x, (v, f) =>
          (std[f] as number) > 0 ? (v - (mean[f] as number)) / (std[f] as number) : 0,
        ),
      ),
  );
  const random = rng(42);
  const order = queries.map((_q, i) => i);
  const grad = new Float64Array(n);
  for (let epoch = 0; epoch < hp.epochs; epoch++) {
    const lr = hp.learningRate / (1 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const qi of order) {
      const q = queries[qi] as TrainingQuery;
      const zq = zrows[qi] as Float64Array[];
      const m = zq.length;
      const scores = zq.map((x) => x.reduce((s, v, f) => s + v * (w[f] as number), 0));
      grad.fill(0);
      let pairs = 0;
      // Every pair with a judged-relevant side (random pairs would mostly be two unjudged docs);
      // one averaged step per query keeps queries with many candidates from dominating.
      for (let hi = 0; hi < m; hi++) {
        const ga = q.gains[hi] as number;
        if (ga <= 0) continue;
        for (let lo = 0; lo < m; lo++) {
          const gb = q.gains[lo] as number;
          if (gb >= ga) continue;
          const g = (ga - gb) / (1 + Math.exp((scores[hi] as number) - (scores[lo] as number)));
          const xh = zq[hi] as Float64Array;
          const xl = zq[lo] as Float64Array;
          for (let f = 0; f < n; f++)
            grad[f] = (grad[f] as number) + g * ((xh[f] as number) - (xl[f] as number));
          pairs++;
        }
      }
      if (pairs === 0) continue;
      for (let f = 0; f < n; f++)
        w[f] = (w[f] as number) * (1 - lr * hp.l2) + (lr * (grad[f] as number)) / pairs;
    }
  }
  return {
    format: 'emporium-ranker',
    version: 1,
    features: [...FEATURES],
    mean,
    std,
    weights: Array.from(w),
    priors,
    depth: hp.depth,
  };
}

/** Rank of each query's candidates under a model (re-ranking the top `depth`, the rest kept). */
export function rerank(model: RankerModel, q: TrainingQuery): string[] {
  const ranker = new Ranker(model);
  const d = Math.min(model.depth, q.rows.length);
  const scores = ranker.score(q.rows.slice(0, d));
  const head = q.docs
    .slice(0, d)
    .map((id, i) => ({ id, s: scores[i] as number, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.id);
  return [...head, ...q.docs.slice(d)];
}

export function meanNdcg(queries: TrainingQuery[], rank: (q: TrainingQuery) => string[]): number {
  let sum = 0;
  let n = 0;
  for (const q of queries) {
    const v = ndcgAt(rank(q), q.allGains, 10);
    if (v === undefined) continue;
    sum += v;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

function cvScore(queries: TrainingQuery[], hp: HyperParams, folds: number, salt: string): number {
  let total = 0;
  for (let k = 0; k < folds; k++) {
    const train = queries.filter((q) => foldOf(q.id + salt, folds) !== k);
    const test = queries.filter((q) => foldOf(q.id + salt, folds) === k);
    const model = trainModel(train, hp);
    total += meanNdcg(test, (q) => rerank(model, q));
  }
  return total / folds;
}

export function selectHyperParams(
  queries: TrainingQuery[],
  folds: number,
  salt: string,
  log?: (s: string) => void,
): HyperParams {
  let best = GRID[0] as HyperParams;
  let bestScore = -1;
  for (const hp of GRID) {
    const s = cvScore(queries, hp, folds, salt);
    log?.(`  l2=${hp.l2} depth=${hp.depth}: ${s.toFixed(4)}`);
    if (s > bestScore) [best, bestScore] = [hp, s];
  }
  return best;
}

export interface CrossValidation {
  folds: {
    fold: number;
    hyperParams: HyperParams;
    heldOutNdcg: number;
    baselineNdcg: number;
    queries: number;
  }[];
  meanHeldOutNdcg: number;
  meanBaselineNdcg: number;
  /** The held-out ranking of every query, for run-level metrics. */
  heldOutRuns: Map<string, string[]>;
}

/** Nested CV: per outer fold, hyper-parameters are picked by inner CV on the other folds only. */
export function crossValidate(
  queries: TrainingQuery[],
  folds = 5,
  log?: (s: string) => void,
): CrossValidation {
  const result: CrossValidation = {
    folds: [],
    meanHeldOutNdcg: 0,
    meanBaselineNdcg: 0,
    heldOutRuns: new Map(),
  };
  for (let k = 0; k < folds; k++) {
    const train = queries.filter((q) => foldOf(q.id, folds) !== k);
    const test = queries.filter((q) => foldOf(q.id, folds) === k);
    log?.(`fold ${k + 1}/${folds}: choosing hyper-parameters on ${train.length} training queries`);
    const hp = selectHyperParams(train, folds - 1, `#${k}`, log);
    const model = trainModel(train, hp);
    const heldOutNdcg = meanNdcg(test, (q) => rerank(model, q));
    const baselineNdcg = meanNdcg(test, (q) => q.docs);
    for (const q of test) result.heldOutRuns.set(q.id, rerank(model, q));
    log?.(
      `fold ${k + 1}: held-out NDCG@10 ${heldOutNdcg.toFixed(4)} (engine alone ${baselineNdcg.toFixed(4)})`,
    );
    result.folds.push({ fold: k, hyperParams: hp, heldOutNdcg, baselineNdcg, queries: test.length });
  }
  result.meanHeldOutNdcg = result.folds.reduce((s, f) => s + f.heldOutNdcg, 0) / folds;
  result.meanBaselineNdcg = result.folds.reduce((s, f) => s + f.baselineNdcg, 0) / folds;
  return result;
}
