// Fits the linear re-ranker by listwise softmax: for each user, the held-out item should win among the candidates.

/** One user's candidates: row-major features (n x F) and the slot of the item the user actually took next. */
export interface RankingGroup {
  readonly x: Float32Array;
  readonly n: number;
  readonly target: number;
}

export interface LinearFitOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
  seed: number;
}

export const defaultLinearFit: LinearFitOptions = {
  epochs: 30,
  learningRate: 0.05,
  l2: 1e-4,
  batchSize: 64,
  seed: 1,
};

export interface LinearFit {
  mean: Float32Array;
  scale: Float32Array;
  weights: Float32Array;
  /** Mean softmax cross-entropy on the training groups after the last epoch. */
  loss: number;
}

export function standardisation(
  groups: readonly RankingGroup[],
  F: number,
): { mean: Float32Array; scale: Float32Array } {
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  let rows = 0;
  for (const g of groups) {
    for (let r = 0; r < g.n; r++) {
      for (let f = 0; f < F; f++) {
        const v = g.x[r * F + f]!;
        sum[f]! += v;
        sq[f]! += v * v;
      }
    }
    rows += g.n;
  }
  const mean = new Float32Array(F);
  const scale = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    const m = rows > 0 ? sum[f]! / rows : 0;
    mean[f] = m;
    const v = rows > 0 ? sq[f]! / rows - m * m : 0;
    // constant features get scale 1 so they contribute nothing after centring
    scale[f] = v > 1e-12 ? Math.sqrt(v) : 1;
  }
  return { mean, scale };
}

/** Mulberry32: a tiny seeded generator, so fits are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds the gradient of one group's softmax loss to `grad` and returns the loss. */
function groupGradient(
  g: RankingGroup,
  F: number,
  z: (x: number, f: number) => number,
  w: Float64Array,
  grad: Float64Array,
): number {
  const s = new Float64Array(g.n);
  let max = -Infinity;
  for (let r = 0; r < g.n; r++) {
    let v = 0;
    for (let f = 0; f < F; f++) v += w[f]! * z(g.x[r * F + f]!, f);
    s[r] = v;
    max = Math.max(max, v);
  }
  let sum = 0;
  for (let r = 0; r < g.n; r++) sum += Math.exp(s[r]! - max);
  for (let r = 0; r < g.n; r++) {
    const p = Math.exp(s[r]! - max) / sum - (r === g.target ? 1 : 0);
    for (let f = 0; f < F; f++) grad[f]! += p * z(g.x[r * F + f]!, f);
  }
  return Math.log(sum) + max - s[g.target]!;
}

export function fitLinearRanker(
  groups: readonly RankingGroup[],
  F: number,
  options: Partial<LinearFitOptions> = {},
): LinearFit {
  const o = { ...defaultLinearFit, ...options };
  const { mean, scale } = standardisation(groups, F);
  const z = (v: number, f: number) => (v - mean[f]!) / scale[f]!;
  const w = new Float64Array(F);
  const m1 = new Float64Array(F);
  const m2 = new Float64Array(F);
  const grad = new Float64Array(F);
  const order = Array.from(groups.keys());
  const rand = seededRandom(o.seed);
  let step = 0;
  let loss = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    loss = 0;
    for (let b = 0; b < order.length; b += o.batchSize) {
      grad.fill(0);
      const end = Math.min(order.length, b + o.batchSize);
      for (let i = b; i < end; i++) loss += groupGradient(groups[order[i]!]!, F, z, w, grad);
      step++;
      for (let f = 0; f < F; f++) {
        const gf = grad[f]! / (end - b) + o.l2 * w[f]!;
        m1[f] = 0.9 * m1[f]! + 0.1 * gf;
        m2[f] = 0.999 * m2[f]! + 0.001 * gf * gf;
        const mh = m1[f]! / (1 - Math.pow(0.9, step));
        const vh = m2[f]! / (1 - Math.pow(0.999, step));
        w[f]! -= (o.learningRate * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
    loss /= Math.max(1, order.length);
  }
  return { mean, scale, weights: Float32Array.from(w), loss };
}
