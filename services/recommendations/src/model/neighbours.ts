// Sparse item x item matrices built from weighted pairs, kept as top-N neighbour lists (CSR, scores descending).
export interface NeighbourLists {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

export function emptyNeighbours(nItems: number): NeighbourLists {
  return { offsets: new Int32Array(nItems + 1), items: new Int32Array(0), scores: new Float32Array(0) };
}

/** Pairs grouped by their source item, so each row can be reduced with one dense scratch array. */
export interface PairBuckets {
  readonly nItems: number;
  readonly start: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
}

/**
 * Two passes over a pair generator: the first counts pairs per source row, the second fills them.
 * `emit(visit)` must call visit(a, b, w) with the same pairs, in the same order, on both passes.
 */
export function bucketPairs(
  nItems: number,
  emit: (visit: (a: number, b: number, w: number) => void) => void,
): PairBuckets {
  const start = new Int32Array(nItems + 1);
  emit((a) => {
    start[a + 1]!++;
  });
  for (let i = 0; i < nItems; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, nItems);
  const targets = new Int32Array(start[nItems]!);
  const weights = new Float32Array(start[nItems]!);
  emit((a, b, w) => {
    const k = fill[a]!++;
    targets[k] = b;
    weights[k] = w;
  });
  return { nItems, start, targets, weights };
}

/**
 * Reduces each row (summing duplicate targets), applies `normalise(a, b, sum)` and keeps the top `topN`.
 * Rows are independent, so `rowFrom`/`rowTo` let workers split the item range.
 */
export function reduceRows(
  buckets: PairBuckets,
  topN: number,
  normalise: (a: number, b: number, sum: number) => number,
  rowFrom = 0,
  rowTo = buckets.nItems,
): NeighbourLists {
  const { start, targets, weights, nItems } = buckets;
  const acc = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const offsets = new Int32Array(rowTo - rowFrom + 1);
  let outItems = new Int32Array(Math.max(16, (rowTo - rowFrom) * Math.min(topN, 32)));
  let outScores = new Float32Array(outItems.length);
  let n = 0;
  const rowItems: number[] = [];
  const rowScores: number[] = [];
  for (let a = rowFrom; a < rowTo; a++) {
    let t = 0;
    for (let k = start[a]!; k < start[a + 1]!; k++) {
      const b = targets[k]!;
      if (acc[b] === 0) touched[t++] = b;
      acc[b]! += weights[k]!;
    }
    rowItems.length = 0;
    rowScores.length = 0;
    for (let j = 0; j < t; j++) {
      const b = touched[j]!;
      const s = normalise(a, b, acc[b]!);
      acc[b] = 0;
      if (s > 0 && b !== a) {
        rowItems.push(b);
        rowScores.push(s);
      }
    }
    const order = topIndices(rowScores, topN);
    if (n + order.length > outItems.length) {
      const grow = Math.max(outItems.length * 2, n + order.length);
      const ni = new Int32Array(grow);
      ni.set(outItems);
      outItems = ni;
      const ns = new Float32Array(grow);
      ns.set(outScores);
      outScores = ns;
    }
    for (const o of order) {
      outItems[n] = rowItems[o]!;
      outScores[n++] = rowScores[o]!;
    }
    offsets[a - rowFrom + 1] = n;
  }
  return { offsets, items: outItems.slice(0, n), scores: outScores.slice(0, n) };
}

function topIndices(scores: readonly number[], topN: number): number[] {
  const idx = scores.map((_, i) => i);
  idx.sort((x, y) => scores[y]! - scores[x]! || x - y);
  return idx.length > topN ? idx.slice(0, topN) : idx;
}

/** Concatenates row ranges produced by `reduceRows` (in row order) into one matrix. */
export function concatRows(parts: readonly NeighbourLists[]): NeighbourLists {
  const rows = parts.reduce((s, p) => s + p.offsets.length - 1, 0);
  const nnz = parts.reduce((s, p) => s + p.items.length, 0);
  const offsets = new Int32Array(rows + 1);
  const items = new Int32Array(nnz);
  const scores = new Float32Array(nnz);
  let r = 0;
  let k = 0;
  for (const p of parts) {
    for (let i = 1; i < p.offsets.length; i++) offsets[r + i] = p.offsets[i]! + k;
    items.set(p.items, k);
    scores.set(p.scores, k);
    r += p.offsets.length - 1;
    k += p.items.length;
  }
  return { offsets, items, scores };
}
