// Public scoring on external item ids, and a slot that lets the service swap models atomically.
import type { RecModel } from './model.ts';
import { rankTopK } from './scorer.ts';

export interface RecommendRequest {
  /** The user's items, oldest first (purchases, views, cart). Unknown ids are ignored. */
  history: readonly string[];
  /** Items never to return (e.g. already bought, out of stock); history items are always excluded. */
  exclude?: ReadonlySet<string>;
  k: number;
  /** Returns false for items that must not be recommended (stock, placement rules). */
  filter?: (item: string) => boolean;
}

export interface Recommendation {
  item: string;
  score: number;
}

const indexes = new WeakMap<RecModel, Map<string, number>>();

export function itemIndex(model: RecModel): Map<string, number> {
  let m = indexes.get(model);
  if (!m) {
    m = new Map(model.itemIds.map((id, i) => [id, i]));
    indexes.set(model, m);
  }
  return m;
}

export function recommend(model: RecModel, req: RecommendRequest): Recommendation[] {
  const index = itemIndex(model);
  const history: number[] = [];
  for (const id of req.history) {
    const i = index.get(id);
    if (i !== undefined) history.push(i);
  }
  const exclude: number[] = [];
  for (const id of req.exclude ?? []) {
    const i = index.get(id);
    if (i !== undefined) exclude.push(i);
  }
  const filter = req.filter;
  const keep = filter ? (i: number) => filter(model.itemIds[i]!) : undefined;
  const ranked = rankTopK(model, history, Math.max(0, Math.floor(req.k)), exclude, keep);
  return Array.from(ranked.items, (i, j) => ({ item: model.itemIds[i]!, score: ranked.scores[j]! }));
}

/**
 * Holds the model in service. Replacing a reference is atomic in JS, and a request keeps the model it
 * started with, so a swap during traffic never serves a half-loaded model or an empty list.
 */
export class ModelSlot {
  private current: RecModel | undefined;

  constructor(initial?: RecModel) {
    this.current = initial;
  }

  get(): RecModel | undefined {
    return this.current;
  }

  swap(next: RecModel): RecModel | undefined {
    const previous = this.current;
    this.current = next;
    return previous;
  }
}
