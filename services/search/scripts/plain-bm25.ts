/**
 * The benchmark baseline from the Home Depot README: plain BM25 (k1 = 1.2, b = 0.75) over
 * lower-cased alphanumeric title tokens, no stemming, no expansion. Deliberately naive.
 */
export class PlainBm25 {
  private readonly postings = new Map<string, [number, number][]>();
  private readonly lengths: number[] = [];
  private readonly ids: string[] = [];

  static tokens(text: string): string[] {
    return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  }

  add(id: string, title: string): void {
    const d = this.ids.length;
    this.ids.push(id);
    const toks = PlainBm25.tokens(title);
    this.lengths.push(toks.length);
    const tf = new Map<string, number>();
    for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      const list = this.postings.get(t) ?? [];
      list.push([d, n]);
      this.postings.set(t, list);
    }
  }

  search(query: string, k: number, k1 = 1.2, b = 0.75): string[] {
    const N = this.ids.length;
    const avg = this.lengths.reduce((s, l) => s + l, 0) / Math.max(1, N);
    const scores = new Map<number, number>();
    for (const t of new Set(PlainBm25.tokens(query))) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (N - list.length + 0.5) / (list.length + 0.5));
      for (const [d, tf] of list) {
        const s = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * (this.lengths[d] as number)) / avg));
        scores.set(d, (scores.get(d) ?? 0) + s);
      }
    }
    return [...scores]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, k)
      .map(([d]) => this.ids[d] as string);
  }
}
