import { describe, expect, it } from 'vitest';
import { FEATURES } from './features.ts';
import { DEFAULT_RANKER_PATH, loadRanker, Ranker, type RankerModel } from './ranker.ts';
import { foldOf, meanNdcg, rerank, trainModel, type TrainingQuery } from './train.ts';

const COVERAGE = FEATURES.indexOf('title_coverage_exact');

function syntheticQuery(id: number): TrainingQuery {
  // The engine's order puts relevant documents last; only title coverage tells them apart.
  const docs = Array.from({ length: 10 }, (_v, i) => `q${id}d${i}`);
  const rows = docs.map((_d, i) => {
    const x = new Float64Array(FEATURES.length);
    x[0] = 10 - i + ((id * 7 + i * 3) % 5) / 10;
    x[COVERAGE] = i >= 7 ? 1 : 0.2;
    return x;
  });
  const gains = docs.map((_d, i) => (i >= 7 ? 2 : 0));
  return {
    id: String(id),
    docs,
    rows,
    gains,
    allGains: new Map(docs.map((d, i) => [d, gains[i] as number])),
  };
}

describe('ranker', () => {
  it('learns to promote what the judgments reward', () => {
    const queries = Array.from({ length: 60 }, (_v, i) => syntheticQuery(i));
    const model = trainModel(queries, { l2: 0, depth: 10, epochs: 5, learningRate: 0.1 });
    expect(meanNdcg(queries, (q) => q.docs)).toBeLessThan(0.5);
    expect(meanNdcg(queries, (q) => rerank(model, q))).toBeCloseTo(1, 5);
  });

  it('applies hand-set priors to features it could not learn', () => {
    const base = trainModel([syntheticQuery(1)], { l2: 0, depth: 10, epochs: 1, learningRate: 0.1 });
    const ranker = new Ranker({ ...base, weights: base.weights.map(() => 0), priors: { in_stock: 1 } });
    const inStock = new Float64Array(FEATURES.length);
    inStock[FEATURES.indexOf('in_stock')] = 1;
    const [a, b] = ranker.score([inStock, new Float64Array(FEATURES.length)]);
    expect(a).toBeGreaterThan(b as number);
  });

  it('refuses a model of another format', () => {
    expect(() => new Ranker({ format: 'other', version: 1 } as unknown as RankerModel)).toThrow(/format/);
  });

  it('loads the committed model, which names only features this build computes', async () => {
    const ranker = await loadRanker(DEFAULT_RANKER_PATH.pathname);
    expect(ranker.depth).toBeGreaterThan(0);
    expect(ranker.model.training).toBeDefined();
  });

  it('assigns folds by query id, deterministically and roughly evenly', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 5000; i++) counts[foldOf(String(i), 5)] = (counts[foldOf(String(i), 5)] ?? 0) + 1;
    expect(foldOf('42', 5)).toBe(foldOf('42', 5));
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
