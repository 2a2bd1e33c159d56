// Sequence-aware user neighbours (in the spirit of V-SKNN/STAN): find past sequences that share the user's
// recent items, then credit those sequences' items by how close they sit after the shared item.
import type { Interactions } from './interactions.ts';
import { itemCount, sequenceOf, userCount } from './interactions.ts';

export interface SessionParams {
  /** Weight of a shared history item: historyDecay^(age), age 0 = most recent. */
  historyDecay: number;
  /** How many most similar sequences vote. */
  neighbours: number;
  /** Credit of an item d positions after the shared item is proximityDecay^(d-1); before it, `before` times that. */
  proximityDecay: number;
  before: number;
  /** Only this many most recent history items look for neighbours (bounds serving cost). */
  historyLength: number;
  /** Similarity is divided by (neighbour sequence length)^lengthExponent, so long histories do not dominate. */
  lengthExponent: number;
}

export const defaultSessionParams: SessionParams = {
  historyDecay: 0.5,
  neighbours: 300,
  proximityDecay: 0.85,
  before: 0.3,
  historyLength: 10,
  lengthExponent: 0,
};

/** Stored sequences plus an inverted index item -> (sequence, position). */
export interface SessionIndex {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly postingOffsets: Int32Array;
  readonly postingUsers: Int32Array;
  readonly postingPositions: Int32Array;
}

export function buildSessionIndex(log: Interactions): SessionIndex {
  const n = itemCount(log);
  const postingOffsets = new Int32Array(n + 1);
  for (let k = 0; k < log.items.length; k++) postingOffsets[log.items[k]! + 1]!++;
  for (let i = 0; i < n; i++) postingOffsets[i + 1]! += postingOffsets[i]!;
  const fill = postingOffsets.slice(0, n);
  const postingUsers = new Int32Array(log.items.length);
  const postingPositions = new Int32Array(log.items.length);
  for (let u = 0; u < userCount(log); u++) {
    const s = sequenceOf(log, u);
    for (let p = 0; p < s.length; p++) {
      const k = fill[s[p]!]!++;
      postingUsers[k] = u;
      postingPositions[k] = p;
    }
  }
  return { offsets: log.offsets, items: log.items, postingOffsets, postingUsers, postingPositions };
}

export interface SessionScratch {
  sim: Float64Array;
  matched: Int32Array;
  touched: Int32Array;
}

export function sessionScratch(index: SessionIndex): SessionScratch {
  const users = index.offsets.length - 1;
  return { sim: new Float64Array(users), matched: new Int32Array(users), touched: new Int32Array(users) };
}

/** Calls credit(item, score) for every item of the most similar sequences; items may repeat. */
export function sessionScores(
  index: SessionIndex,
  p: SessionParams,
  history: ArrayLike<number>,
  scratch: SessionScratch,
  credit: (item: number, score: number) => void,
): void {
  const { sim, matched, touched } = scratch;
  const L = history.length;
  let t = 0;
  const depth = Math.min(L, p.historyLength);
  let w = 1;
  for (let age = 0; age < depth; age++, w *= p.historyDecay) {
    const h = history[L - 1 - age]!;
    for (let k = index.postingOffsets[h]!; k < index.postingOffsets[h + 1]!; k++) {
      const v = index.postingUsers[k]!;
      if (sim[v] === 0) {
        touched[t++] = v;
        // the most recent shared item anchors the proximity credit
        matched[v] = index.postingPositions[k]!;
      }
      sim[v]! += w;
    }
  }
  if (p.lengthExponent !== 0) {
    for (let j = 0; j < t; j++) {
      const v = touched[j]!;
      sim[v]! /= Math.pow(index.offsets[v + 1]! - index.offsets[v]!, p.lengthExponent);
    }
  }
  const chosen = topUsers(touched, t, sim, p.neighbours);
  for (const v of chosen) {
    const s = v.sim;
    const from = index.offsets[v.user]!;
    const to = index.offsets[v.user + 1]!;
    const q = matched[v.user]!;
    for (let j = from; j < to; j++) {
      const d = j - from - q;
      if (d === 0) continue;
      const prox = d > 0 ? Math.pow(p.proximityDecay, d - 1) : p.before * Math.pow(p.proximityDecay, -d - 1);
      credit(index.items[j]!, s * prox);
    }
  }
  for (let j = 0; j < t; j++) sim[touched[j]!] = 0;
}

function topUsers(
  touched: Int32Array,
  t: number,
  sim: Float64Array,
  k: number,
): { user: number; sim: number }[] {
  const all: { user: number; sim: number }[] = [];
  for (let j = 0; j < t; j++) all.push({ user: touched[j]!, sim: sim[touched[j]!]! });
  if (all.length > k) {
    all.sort((a, b) => b.sim - a.sim || a.user - b.user);
    all.length = k;
  }
  return all;
}
