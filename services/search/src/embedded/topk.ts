/**
 * Bounded top-k selection: O(n log k), and O(n) comparisons against the heap's minimum once it is
 * full, which is nearly every element of a large match set. The order is total (value descending,
 * then position ascending), so any selection returns the same k.
 */

/** Positions of the k largest values among the first `count`, best first. */
export function topKPositions(values: ArrayLike<number>, count: number, k: number): number[] {
  if (k <= 0 || count <= 0) return [];
  const cap = Math.min(k, count);
  const pos = new Int32Array(cap);
  const val = new Float64Array(cap);
  let size = 0;
  // Min-heap on (value, -position): the root is the worst kept element.
  const worse = (a: number, b: number) =>
    (val[a] as number) < (val[b] as number) || (val[a] === val[b] && (pos[a] as number) > (pos[b] as number));
  const swap = (a: number, b: number) => {
    const p = pos[a] as number;
    pos[a] = pos[b] as number;
    pos[b] = p;
    const v = val[a] as number;
    val[a] = val[b] as number;
    val[b] = v;
  };
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (size < cap) {
      pos[size] = i;
      val[size] = v;
      for (let c = size++; c > 0;) {
        const parent = (c - 1) >> 1;
        if (!worse(c, parent)) break;
        swap(c, parent);
        c = parent;
      }
      continue;
    }
    // Later positions lose ties, so only a strictly larger value enters a full heap.
    if (!(v > (val[0] as number))) continue;
    pos[0] = i;
    val[0] = v;
    for (let c = 0; ;) {
      const l = 2 * c + 1;
      const r = l + 1;
      let m = c;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === c) break;
      swap(c, m);
      c = m;
    }
  }
  const slots = Array.from({ length: size }, (_, i) => i);
  slots.sort((a, b) => (val[b] as number) - (val[a] as number) || (pos[a] as number) - (pos[b] as number));
  return slots.map((i) => pos[i] as number);
}
