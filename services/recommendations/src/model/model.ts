// The trained model shape shared by every recommender here: weighted neighbour components plus popularity.
import type { NeighbourLists } from './neighbours.ts';
import type { SessionIndex, SessionParams } from './sessions.ts';
import type { Forest } from './gbdt.ts';
import type { ItemAttributes } from './attributes.ts';

/**
 * One item x item matrix and how much each history position contributes through it:
 * positionWeights[0] applies to the most recent item, [1] to the one before, and so on.
 */
export interface Component {
  readonly name: string;
  readonly neighbours: NeighbourLists;
  readonly positionWeights: Float32Array;
}

export interface RecModel {
  /** Model family, e.g. 'popularity', 'cooccurrence', 'itemknn', 'mixture'. */
  readonly kind: string;
  /** Unique per training run; the service swaps artifacts by version. */
  readonly version: string;
  readonly trainedAt: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly itemIds: readonly string[];
  /** Popularity in [0, 1] (count / max count). */
  readonly popularity: Float32Array;
  /** Item indices by descending popularity: the back-off order. */
  readonly popularOrder: Int32Array;
  /** Added as popularityWeight * popularity[c] to every item's score. */
  readonly popularityWeight: number;
  readonly components: readonly Component[];
  /** Optional vote of similar past sequences, added with `weight`. */
  readonly sessions?: SessionComponent;
  /** Optional second stage: the first stage's top candidates re-scored by a learned ranker. */
  readonly ranker?: Ranker;
}

/**
 * Scores per-candidate features: every component's score from each of its history positions (its positionWeights
 * say only how the first stage mixes them), the session vote, the first-stage score and rank, per-item signals and
 * two context features (history length, popularity of the last item). Features are log1p-compressed; the score is
 * a linear term on standardised features plus the sum of a boosted forest (either may be empty).
 */
export interface Ranker {
  readonly candidates: number;
  readonly itemSignals: readonly ItemSignal[];
  readonly featureNames: readonly string[];
  readonly mean: Float32Array;
  readonly scale: Float32Array;
  readonly weights: Float32Array;
  readonly forest?: Forest;
  /** Brand/category ids per item, when the catalogue provides them. */
  readonly attributes?: ItemAttributes;
}

export interface ItemSignal {
  readonly name: string;
  readonly values: Float32Array;
}

export interface SessionComponent {
  readonly index: SessionIndex;
  readonly params: SessionParams;
  readonly weight: number;
}

export function newVersion(kind: string, at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kind}-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

export function itemFrequencies(nItems: number, items: Int32Array): Float64Array {
  const counts = new Float64Array(nItems);
  for (let k = 0; k < items.length; k++) counts[items[k]!]!++;
  return counts;
}

export function popularityFrom(counts: Float64Array): { popularity: Float32Array; popularOrder: Int32Array } {
  let max = 0;
  for (let i = 0; i < counts.length; i++) max = Math.max(max, counts[i]!);
  const popularity = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) popularity[i] = max > 0 ? counts[i]! / max : 0;
  const popularOrder = Int32Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  return { popularity, popularOrder };
}
