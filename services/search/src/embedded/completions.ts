/**
 * Completion dictionary for type-ahead: keys (title words or word pairs) with the number of live
 * documents carrying them. Keys sit in a sorted view, so a prefix is one binary search to a
 * range, and a max segment tree over the counts yields the range's top k in O(k log n) without
 * reading the range: suggest costs O(|prefix| log n), not O(matches) (ADR 0206).
 * Counts change in place (a tree path update); keys never seen before wait in a short pending
 * list, scanned linearly, until enough accumulate to be merged into the sorted view.
 */

export interface Completion {
  key: string;
  count: number;
}

const PENDING_LIMIT = 1024;

interface Range {
  from: number;
  to: number;
  best: number;
}

export class Completions {
  private readonly slots = new Map<string, number>();
  private readonly keys: string[] = [];
  private counts = new Int32Array(1024);
  /** Sorted view: order[p] is the slot at position p; posOf[slot] its position (-1 if pending). */
  private order = new Int32Array(0);
  private posOf = new Int32Array(1024).fill(-1);
  /** tree[node] = position of the highest count below node (ties: the smaller key). */
  private tree = new Int32Array(0);
  private leaves = 0;
  private pending: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string, delta: number): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (delta <= 0) return;
      slot = this.keys.length;
      this.slots.set(key, slot);
      this.keys.push(key);
      this.ensureSlots(slot + 1);
      this.pending.push(slot);
    }
    this.counts[slot] = Math.max(0, (this.counts[slot] as number) + delta);
    const pos = this.posOf[slot] as number;
    if (pos >= 0) this.update(pos);
  }

  count(key: string): number {
    const slot = this.slots.get(key);
    return slot === undefined ? 0 : (this.counts[slot] as number);
  }

  /** The `limit` keys starting with `prefix` carried by the most documents, most first. */
  complete(prefix: string, limit: number): Completion[] {
    if (limit <= 0) return [];
    if (this.pending.length > PENDING_LIMIT) this.rebuild();
    const out = this.topInRange(this.lowerBound(prefix), this.lowerBound(`${prefix}\uffff`), limit);
    for (const slot of this.pending) {
      const key = this.keys[slot] as string;
      const count = this.counts[slot] as number;
      if (count > 0 && key.startsWith(prefix)) out.push({ key, count });
    }
    if (this.pending.length > 0) out.sort(byCountThenKey);
    return out.slice(0, limit);
  }

  /**
   * Puts the pending keys in the sorted view: they are sorted alone and merged with the view, so
   * the cost is O(n + p log p) (about 2 ms at 50,000 keys), then the tree is rebuilt in O(n).
   */
  rebuild(): void {
    const keyOf = (slot: number) => this.keys[slot] as string;
    const fresh = this.pending.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    const old = this.order;
    const order = new Int32Array(old.length + fresh.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < old.length || j < fresh.length) {
      const takeOld =
        j >= fresh.length || (i < old.length && keyOf(old[i] as number) < keyOf(fresh[j] as number));
      order[o++] = takeOld ? (old[i++] as number) : (fresh[j++] as number);
    }
    this.order = order;
    for (let p = 0; p < order.length; p++) this.posOf[order[p] as number] = p;
    this.leaves = 1;
    while (this.leaves < order.length) this.leaves *= 2;
    this.tree = new Int32Array(2 * this.leaves).fill(-1);
    for (let p = 0; p < order.length; p++) this.tree[this.leaves + p] = p;
    for (let node = this.leaves - 1; node >= 1; node--) this.tree[node] = this.pull(node);
    this.pending = [];
  }

  private countAt(pos: number): number {
    return pos < 0 ? -1 : (this.counts[this.order[pos] as number] as number);
  }

  /** The better of two positions: higher count, then the smaller key (smaller position). */
  private better(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    const ca = this.countAt(a);
    const cb = this.countAt(b);
    return ca > cb || (ca === cb && a < b) ? a : b;
  }

  private pull(node: number): number {
    return this.better(this.tree[2 * node] as number, this.tree[2 * node + 1] as number);
  }

  private update(pos: number): void {
    for (let node = (this.leaves + pos) >> 1; node >= 1; node >>= 1) this.tree[node] = this.pull(node);
  }

  /** Best position in [lo, hi), or -1. */
  private best(lo: number, hi: number): number {
    let out = -1;
    for (let l = lo + this.leaves, r = hi + this.leaves; l < r; l >>= 1, r >>= 1) {
      if (l & 1) out = this.better(out, this.tree[l++] as number);
      if (r & 1) out = this.better(out, this.tree[--r] as number);
    }
    return out;
  }

  /** Top k of a range: take the best, split the range around it, repeat (at most k + 1 ranges). */
  private topInRange(lo: number, hi: number, k: number): Completion[] {
    const out: Completion[] = [];
    const ranges: Range[] = [];
    const push = (from: number, to: number) => {
      const best = from < to ? this.best(from, to) : -1;
      if (best >= 0 && this.countAt(best) > 0) ranges.push({ from, to, best });
    };
    push(lo, hi);
    while (out.length < k && ranges.length > 0) {
      let top = 0;
      for (let i = 1; i < ranges.length; i++) {
        const a = (ranges[top] as Range).best;
        if (this.better(a, (ranges[i] as Range).best) !== a) top = i;
      }
      const { from, to, best } = ranges.splice(top, 1)[0] as Range;
      out.push({ key: this.keys[this.order[best] as number] as string, count: this.countAt(best) });
      push(from, best);
      push(best + 1, to);
    }
    return out;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[this.order[mid] as number] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ensureSlots(n: number): void {
    if (n <= this.counts.length) return;
    const cap = n * 2;
    const counts = new Int32Array(cap);
    counts.set(this.counts);
    this.counts = counts;
    const posOf = new Int32Array(cap).fill(-1);
    posOf.set(this.posOf);
    this.posOf = posOf;
  }
}

function byCountThenKey(a: Completion, b: Completion): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
