// First-stage top-k on internal item indices: sparse neighbour accumulation, then an exact merge with the
// popularity order. Models without a re-ranker are served by this stage alone.
import type { RecModel } from './model.ts';
import type { SessionScratch } from './sessions.ts';
import { sessionScores, sessionScratch } from './sessions.ts';

export interface Ranked {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Per-model scratch space, reused across calls (Node runs one call at a time per thread). */
interface Scratch {
  acc: Float64Array;
  stamp: Int32Array;
  excluded: Int32Array;
  touched: Int32Array;
  gen: number;
  sessions?: SessionScratch;
}

const scratches = new WeakMap<RecModel, Scratch>();

function scratchFor(model: RecModel): Scratch {
  let s = scratches.get(model);
  if (!s) {
    const n = model.itemIds.length;
    s = {
      acc: new Float64Array(n),
      stamp: new Int32Array(n),
      excluded: new Int32Array(n),
      touched: new Int32Array(n),
      gen: 0,
    };
    if (model.sessions) s.sessions = sessionScratch(model.sessions.index);
    scratches.set(model, s);
  }
  if (++s.gen === 0x7fffffff) {
    s.stamp.fill(0);
    s.excluded.fill(0);
    s.gen = 1;
  }
  return s;
}

/**
 * Ranks all items for a history (indices, time order) and returns the best k.
 * History items and `exclude` are never returned; `keep` (if given) must accept an item for it to be returned.
 * Scores are sum over components and positions of weight * neighbour score, plus popularityWeight * popularity;
 * items no component reaches still rank by that popularity term, so the result is a full ranking's prefix.
 */
export function firstStage(
  model: RecModel,
  history: ArrayLike<number>,
  k: number,
  exclude: ArrayLike<number> = [],
  keep?: (item: number) => boolean,
  /** Sees every unweighted session-vote credit (item, score), so a second stage need not vote again. */
  onSessionCredit?: (item: number, score: number) => void,
): Ranked {
  const s = scratchFor(model);
  const { acc, stamp, excluded, touched, gen } = s;
  for (let i = 0; i < history.length; i++) excluded[history[i]!] = gen;
  for (let i = 0; i < exclude.length; i++) excluded[exclude[i]!] = gen;
  let t = 0;
  for (const comp of model.components) {
    const { offsets, items, scores } = comp.neighbours;
    const pw = comp.positionWeights;
    const depth = Math.min(pw.length, history.length);
    for (let p = 0; p < depth; p++) {
      const w = pw[p]!;
      if (w === 0) continue;
      const h = history[history.length - 1 - p]!;
      for (let j = offsets[h]!; j < offsets[h + 1]!; j++) {
        const c = items[j]!;
        if (stamp[c] !== gen) {
          stamp[c] = gen;
          acc[c] = 0;
          touched[t++] = c;
        }
        acc[c]! += w * scores[j]!;
      }
    }
  }
  const ses = model.sessions;
  if (ses && s.sessions && ses.weight !== 0) {
    const sw = ses.weight;
    sessionScores(ses.index, ses.params, history, s.sessions, (c, score) => {
      if (stamp[c] !== gen) {
        stamp[c] = gen;
        acc[c] = 0;
        touched[t++] = c;
      }
      acc[c]! += sw * score;
      onSessionCredit?.(c, score);
    });
  }
  const pop = model.popularity;
  const popW = model.popularityWeight;
  const heap = new TopK(k, pop);
  for (let j = 0; j < t; j++) {
    const c = touched[j]!;
    if (excluded[c] === gen || (keep && !keep(c))) continue;
    heap.offer(c, acc[c]! + popW * pop[c]!);
  }
  const cand = heap.sorted();
  return mergeWithPopularity(
    model,
    cand,
    k,
    (c) => stamp[c] === gen || excluded[c] === gen || (keep !== undefined && !keep(c)),
  );
}

function mergeWithPopularity(model: RecModel, cand: Ranked, k: number, skip: (c: number) => boolean): Ranked {
  const outItems = new Int32Array(k);
  const outScores = new Float32Array(k);
  const order = model.popularOrder;
  const pop = model.popularity;
  let n = 0;
  let ci = 0;
  let pi = 0;
  while (n < k) {
    while (pi < order.length && skip(order[pi]!)) pi++;
    const hasC = ci < cand.items.length;
    const hasP = pi < order.length;
    if (!hasC && !hasP) break;
    const pScore = hasP ? model.popularityWeight * pop[order[pi]!]! : -Infinity;
    if (hasC && cand.scores[ci]! >= pScore) {
      outItems[n] = cand.items[ci]!;
      outScores[n++] = cand.scores[ci++]!;
    } else {
      outItems[n] = order[pi]!;
      outScores[n++] = pScore;
      pi++;
    }
  }
  return { items: outItems.subarray(0, n), scores: outScores.subarray(0, n) };
}

/** Bounded min-heap keeping the k best (score, then popularity, then lower index). */
class TopK {
  private readonly items: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;
  constructor(
    private readonly k: number,
    private readonly pop: Float32Array,
  ) {
    this.items = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** True if (a, sa) ranks below (b, sb). */
  private worse(a: number, sa: number, b: number, sb: number): boolean {
    if (sa !== sb) return sa < sb;
    const pa = this.pop[a]!;
    const pb = this.pop[b]!;
    return pa !== pb ? pa < pb : a > b;
  }

  offer(item: number, score: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(item, score, this.items[p]!, this.scores[p]!)) break;
        this.items[i] = this.items[p]!;
        this.scores[i] = this.scores[p]!;
        i = p;
      }
      this.items[i] = item;
      this.scores[i] = score;
      return;
    }
    if (!this.worse(this.items[0]!, this.scores[0]!, item, score)) return;
    this.siftDown(item, score);
  }

  private siftDown(item: number, score: number): void {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m =
        r < this.size && this.worse(this.items[r]!, this.scores[r]!, this.items[l]!, this.scores[l]!) ? r : l;
      if (!this.worse(this.items[m]!, this.scores[m]!, item, score)) break;
      this.items[i] = this.items[m]!;
      this.scores[i] = this.scores[m]!;
      i = m;
    }
    this.items[i] = item;
    this.scores[i] = score;
  }

  sorted(): Ranked {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((x, y) =>
      this.worse(this.items[x]!, this.scores[x]!, this.items[y]!, this.scores[y]!) ? 1 : -1,
    );
    return {
      items: Int32Array.from(idx, (i) => this.items[i]!),
      scores: Float32Array.from(idx, (i) => this.scores[i]!),
    };
  }
}
