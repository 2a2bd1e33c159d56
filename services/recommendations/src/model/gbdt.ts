// Gradient-boosted regression trees for listwise ranking (softmax over each user's candidates), on typed arrays.
// Histogram splits over per-feature quantile bins keep a fit to a few seconds for ~10^6 candidate rows.
import type { RankingGroup } from './ranker-fit.ts';
import { seededRandom } from './ranker-fit.ts';

/** Flat tree storage: node i splits on feature[i] (x <= threshold[i] goes left), or is a leaf when feature[i] < 0. */
export interface Forest {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float32Array;
}

export interface GbdtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values (Newton step denominator). */
  lambda: number;
  minChildHessian: number;
  bins: number;
  /** Fraction of groups each tree sees. */
  subsample: number;
  seed: number;
}

export const defaultGbdt: GbdtOptions = {
  trees: 100,
  depth: 5,
  learningRate: 0.1,
  lambda: 1,
  minChildHessian: 1,
  bins: 64,
  subsample: 0.5,
  seed: 1,
};

export function forestScore(forest: Forest, x: ArrayLike<number>, row: number): number {
  const { roots, feature, threshold, left, right, value } = forest;
  let s = 0;
  for (let t = 0; t < roots.length; t++) {
    let i = roots[t]!;
    while (feature[i]! >= 0) i = x[row + feature[i]!]! <= threshold[i]! ? left[i]! : right[i]!;
    s += value[i]!;
  }
  return s;
}

interface Binned {
  /** Upper edge of each bin per feature: value v falls in the first bin whose edge is >= v. */
  edges: Float32Array[];
  bins: Uint8Array;
  rows: number;
}

function binRows(groups: readonly RankingGroup[], F: number, maxBins: number, rand: () => number): Binned {
  const rows = groups.reduce((s, g) => s + g.n, 0);
  const edges: Float32Array[] = [];
  for (let f = 0; f < F; f++) {
    const sample: number[] = [];
    for (const g of groups) {
      for (let r = 0; r < g.n; r++) if (rand() < 20_000 / rows) sample.push(g.x[r * F + f]!);
    }
    sample.sort((a, b) => a - b);
    const e: number[] = [];
    for (let b = 1; b < maxBins; b++) {
      const v = sample[Math.floor((b * sample.length) / maxBins)];
      if (v !== undefined && (e.length === 0 || v > e[e.length - 1]!)) e.push(v);
    }
    edges.push(Float32Array.from(e));
  }
  const bins = new Uint8Array(rows * F);
  let k = 0;
  for (const g of groups) {
    for (let r = 0; r < g.n; r++, k++) {
      for (let f = 0; f < F; f++) bins[k * F + f] = binOf(edges[f]!, g.x[r * F + f]!);
    }
  }
  return { edges, bins, rows };
}

function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class ForestBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  roots: number[] = [];

  node(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    return this.feature.length - 1;
  }

  build(): Forest {
    return {
      roots: Int32Array.from(this.roots),
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float32Array.from(this.value),
    };
  }
}

interface Histogram {
  g: Float64Array;
  h: Float64Array;
  G: number;
  H: number;
}

function histogram(
  data: Binned,
  F: number,
  nb: number,
  rowsIn: Int32Array,
  grad: Float64Array,
  hess: Float64Array,
): Histogram {
  const hg = new Float64Array(F * nb);
  const hh = new Float64Array(F * nb);
  let G = 0;
  let H = 0;
  for (let i = 0; i < rowsIn.length; i++) {
    const r = rowsIn[i]!;
    const g = grad[r]!;
    const h = hess[r]!;
    G += g;
    H += h;
    const base = r * F;
    for (let f = 0; f < F; f++) {
      const j = f * nb + data.bins[base + f]!;
      hg[j]! += g;
      hh[j]! += h;
    }
  }
  return { g: hg, h: hh, G, H };
}

/** The sibling's histogram without a pass over its rows: parent minus the smaller child. */
function subtract(parent: Histogram, child: Histogram): Histogram {
  const g = Float64Array.from(parent.g, (v, i) => v - child.g[i]!);
  const h = Float64Array.from(parent.h, (v, i) => v - child.h[i]!);
  return { g, h, G: parent.G - child.G, H: parent.H - child.H };
}

function bestSplit(
  data: Binned,
  F: number,
  nb: number,
  hist: Histogram,
  o: GbdtOptions,
): { feature: number; bin: number } {
  const { G, H } = hist;
  const parent = (G * G) / (H + o.lambda);
  let best = { gain: 0, feature: -1, bin: -1 };
  for (let f = 0; f < F; f++) {
    let gl = 0;
    let hl = 0;
    const last = data.edges[f]!.length;
    for (let b = 0; b < last; b++) {
      gl += hist.g[f * nb + b]!;
      hl += hist.h[f * nb + b]!;
      const hr = H - hl;
      if (hl < o.minChildHessian || hr < o.minChildHessian) continue;
      const gr = G - gl;
      const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parent;
      if (gain > best.gain) best = { gain, feature: f, bin: b };
    }
  }
  return best;
}

interface GrowContext {
  fb: ForestBuilder;
  data: Binned;
  F: number;
  nb: number;
  grad: Float64Array;
  hess: Float64Array;
  scores: Float64Array;
  o: GbdtOptions;
}

function growTree(ctx: GrowContext, rowsIn: Int32Array, hist: Histogram, depth: number): number {
  const { fb, data, F, o } = ctx;
  const id = fb.node();
  const split = depth > 0 ? bestSplit(data, F, ctx.nb, hist, o) : { feature: -1, bin: -1 };
  if (split.feature < 0) {
    const v = (-hist.G / (hist.H + o.lambda)) * o.learningRate;
    fb.value[id] = v;
    // the rows that grew this leaf get its value here; fitGbdt walks only the rows left out of the sample
    for (let k = 0; k < rowsIn.length; k++) ctx.scores[rowsIn[k]!]! += v;
    return id;
  }
  // in-place partition: rows at or below the split bin first
  const bins = data.bins;
  let i = 0;
  let j = rowsIn.length - 1;
  while (i <= j) {
    const row = rowsIn[i]!;
    if (bins[row * F + split.feature]! <= split.bin) i++;
    else {
      rowsIn[i] = rowsIn[j]!;
      rowsIn[j--] = row;
    }
  }
  const lr = rowsIn.subarray(0, i);
  const rr = rowsIn.subarray(i);
  const small = lr.length <= rr.length ? lr : rr;
  const smallHist = histogram(data, F, ctx.nb, small, ctx.grad, ctx.hess);
  const bigHist = subtract(hist, smallHist);
  fb.feature[id] = split.feature;
  fb.threshold[id] = data.edges[split.feature]![split.bin]!;
  fb.left[id] = growTree(ctx, lr, small === lr ? smallHist : bigHist, depth - 1);
  fb.right[id] = growTree(ctx, rr, small === lr ? bigHist : smallHist, depth - 1);
  return id;
}

/** Softmax gradients per group from the current scores; returns the mean cross-entropy. */
function softmaxGradients(
  groups: readonly RankingGroup[],
  starts: Int32Array,
  scores: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
): number {
  let loss = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    const s0 = starts[gi]!;
    let max = -Infinity;
    for (let r = 0; r < g.n; r++) max = Math.max(max, scores[s0 + r]!);
    let sum = 0;
    // grad holds exp(score - max) until the sum is known
    for (let r = 0; r < g.n; r++) sum += grad[s0 + r] = Math.exp(scores[s0 + r]! - max);
    for (let r = 0; r < g.n; r++) {
      const p = grad[s0 + r]! / sum;
      grad[s0 + r] = p - (r === g.target ? 1 : 0);
      hess[s0 + r] = Math.max(p * (1 - p), 1e-6);
    }
    loss += Math.log(sum) + max - scores[s0 + g.target]!;
  }
  return loss / Math.max(1, groups.length);
}

export function fitGbdt(
  groups: readonly RankingGroup[],
  F: number,
  options: Partial<GbdtOptions> = {},
  progress: (tree: number, loss: number) => void = () => {},
): Forest {
  const o = { ...defaultGbdt, ...options };
  o.bins = Math.min(o.bins, 255);
  const rand = seededRandom(o.seed);
  const data = binRows(groups, F, o.bins, rand);
  const starts = new Int32Array(groups.length + 1);
  groups.forEach((g, i) => (starts[i + 1] = starts[i]! + g.n));
  const scores = new Float64Array(data.rows);
  const grad = new Float64Array(data.rows);
  const hess = new Float64Array(data.rows);
  const fb = new ForestBuilder();
  const rowsIn = new Int32Array(data.rows);
  const sampled = new Uint8Array(groups.length);
  for (let t = 0; t < o.trees; t++) {
    const loss = softmaxGradients(groups, starts, scores, grad, hess);
    let nIn = 0;
    for (let gi = 0; gi < groups.length; gi++) {
      sampled[gi] = rand() < o.subsample ? 1 : 0;
      if (sampled[gi]) for (let r = starts[gi]!; r < starts[gi + 1]!; r++) rowsIn[nIn++] = r;
    }
    const rows = rowsIn.subarray(0, nIn);
    const ctx: GrowContext = { fb, data, F, nb: o.bins + 1, grad, hess, scores, o };
    const root = growTree(ctx, rows, histogram(data, F, ctx.nb, rows, grad, hess), o.depth);
    fb.roots.push(root);
    const tree: Forest = { ...fb.build(), roots: Int32Array.of(root) };
    for (let gi = 0; gi < groups.length; gi++) {
      if (sampled[gi]) continue;
      const g = groups[gi]!;
      for (let r = 0; r < g.n; r++) scores[starts[gi]! + r]! += forestScore(tree, g.x, r * F);
    }
    if ((t + 1) % 25 === 0) progress(t + 1, loss);
  }
  return fb.build();
}
