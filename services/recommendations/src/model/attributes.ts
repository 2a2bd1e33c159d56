// Item attributes (brand, category ids) as ranking features: IDF-weighted overlap of a candidate with the
// user's last item and with a recency-weighted profile of their history.
import { readFileSync } from 'node:fs';

/** CSR item -> dense attribute indices, plus each attribute's inverse document frequency. */
export interface ItemAttributes {
  readonly offsets: Int32Array;
  readonly ids: Int32Array;
  readonly idf: Float32Array;
}

/** Parses `{ "<item id>": [attr, ...] }` (the amazon-2014 `*_item2attributes.json` shape) for the model's items. */
export function parseItemAttributes(json: string, itemIds: readonly string[]): ItemAttributes {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const dense = new Map<string, number>();
  const perItem: number[][] = itemIds.map((id) => {
    const list = raw[id];
    if (!Array.isArray(list)) return [];
    const out: number[] = [];
    for (const a of list) {
      const key = String(a);
      let d = dense.get(key);
      if (d === undefined) dense.set(key, (d = dense.size));
      if (!out.includes(d)) out.push(d);
    }
    return out;
  });
  const offsets = new Int32Array(itemIds.length + 1);
  perItem.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  const ids = Int32Array.from(perItem.flat());
  const df = new Float64Array(dense.size);
  for (const a of ids) df[a]!++;
  const idf = Float32Array.from(df, (d) => Math.log((itemIds.length + 1) / (d + 1)));
  return { offsets, ids, idf };
}

export function readItemAttributes(path: string, itemIds: readonly string[]): ItemAttributes {
  return parseItemAttributes(readFileSync(path, 'utf8'), itemIds);
}

export const ATTRIBUTE_FEATURES = ['attributes-last', 'attributes-history'] as const;

const HISTORY = 10;
const DECAY = 0.7;

/**
 * Writes, for each candidate, the IDF mass it shares with the last item, and its share of IDF mass found in the
 * history profile, into columns `col` and `col + 1` of the row-major matrix x (F columns).
 */
export function attributeFeatures(
  attrs: ItemAttributes,
  history: ArrayLike<number>,
  candidates: Int32Array,
  x: Float32Array,
  F: number,
  col: number,
  profile: Float64Array,
): void {
  const { offsets, ids, idf } = attrs;
  const L = history.length;
  if (L === 0) return;
  const touched: number[] = [];
  let w = 1;
  for (let p = 0; p < Math.min(L, HISTORY); p++, w *= DECAY) {
    const h = history[L - 1 - p]!;
    for (let j = offsets[h]!; j < offsets[h + 1]!; j++) {
      const a = ids[j]!;
      if (profile[a] === 0) touched.push(a);
      profile[a]! += w;
    }
  }
  const last = history[L - 1]!;
  for (let c = 0; c < candidates.length; c++) {
    const item = candidates[c]!;
    let shared = 0;
    let mass = 0;
    let profiled = 0;
    for (let j = offsets[item]!; j < offsets[item + 1]!; j++) {
      const a = ids[j]!;
      mass += idf[a]!;
      profiled += idf[a]! * profile[a]!;
      for (let k = offsets[last]!; k < offsets[last + 1]!; k++) if (ids[k] === a) shared += idf[a]!;
    }
    x[c * F + col] = shared;
    x[c * F + col + 1] = mass > 0 ? profiled / mass : 0;
  }
  for (const a of touched) profile[a] = 0;
}
