/** Indices of the k highest scores (descending), via a bounded min-heap: O(n log k). */
export function topK(
  docs: ArrayLike<number>,
  count: number,
  score: (d: number) => number,
  k: number,
): number[] {
  if (k <= 0) return [];
  const heap: number[] = [];
  const hs: number[] = [];
  const less = (i: number, j: number) =>
    (hs[i] as number) < (hs[j] as number) || (hs[i] === hs[j] && (heap[i] as number) > (heap[j] as number));
  const swap = (i: number, j: number) => {
    [heap[i], heap[j]] = [heap[j] as number, heap[i] as number];
    [hs[i], hs[j]] = [hs[j] as number, hs[i] as number];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < count; i++) {
    const d = docs[i] as number;
    const s = score(d);
    if (heap.length < k) {
      heap.push(d);
      hs.push(s);
      let c = heap.length - 1;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!less(c, parent)) break;
        swap(c, parent);
        c = parent;
      }
    } else if (s > (hs[0] as number) || (s === hs[0] && d < (heap[0] as number))) {
      heap[0] = d;
      hs[0] = s;
      down(0);
    }
  }
  const order = heap.map((d, i) => ({ d, s: hs[i] as number }));
  order.sort((a, b) => b.s - a.s || a.d - b.d);
  return order.map((o) => o.d);
}
