/**
 * BM25F accumulation over term groups. Per posting, field term frequencies are length-normalised
 * per field, weighted and summed into one pseudo-frequency before the BM25 saturation (Robertson
 * & Zaragoza's BM25F), so a word repeated across title and description is not counted twice.
 * Scratch arrays are dense over internal doc ids and reset through touched lists, which keeps a
 * query's cost proportional to the postings it reads.
 */
import type { TermGroup } from '../expander.ts';
import { FIELD_COUNT, type Bm25fParams } from './fields.ts';
import type { PostingList } from './postings.ts';

export interface CorpusStats {
  liveDocs: number;
  fieldLen: Uint16Array;
  avgFieldLen: number[];
  df: Uint32Array;
  alive: Uint8Array;
}

export class Accumulator {
  score = new Float32Array(0);
  cover = new Uint8Array(0);
  required = new Uint8Array(0);
  private best = new Float32Array(0);
  /** Touched doc ids and the per-group scratch, typed and reused: no garbage per posting. */
  private touchedIds = new Int32Array(0);
  private touchedCount = 0;
  private seen = new Int32Array(0);

  /** The documents any group matched, in first-touch order. */
  get touched(): Int32Array {
    return this.touchedIds.subarray(0, this.touchedCount);
  }

  ensure(cap: number): void {
    if (this.score.length >= cap) return;
    const n = Math.max(cap, this.score.length * 2);
    this.score = new Float32Array(n);
    this.cover = new Uint8Array(n);
    this.required = new Uint8Array(n);
    this.best = new Float32Array(n);
    this.touchedIds = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.touchedCount = 0;
  }

  reset(): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const d = this.touchedIds[i] as number;
      this.score[d] = 0;
      this.cover[d] = 0;
      this.required[d] = 0;
    }
    this.touchedCount = 0;
  }

  addGroups(groups: TermGroup[], postings: PostingList[], stats: CorpusStats, p: Bm25fParams): void {
    const norm = fieldNorms(stats, p);
    for (const g of groups) {
      let seenCount = 0;
      for (const alt of g.alts) {
        const list = postings[alt.term];
        if (!list) continue;
        const df = stats.df[alt.term] ?? 0;
        const idf = Math.log(1 + (stats.liveDocs - df + 0.5) / (df + 0.5));
        seenCount = this.scoreList(list, alt.weight * idf, stats, p, norm, seenCount);
      }
      for (let i = 0; i < seenCount; i++) {
        const d = this.seen[i] as number;
        if (this.score[d] === 0 && this.cover[d] === 0 && this.required[d] === 0)
          this.touchedIds[this.touchedCount++] = d;
        this.score[d] = (this.score[d] as number) + (this.best[d] as number);
        if (g.counts) this.cover[d] = (this.cover[d] as number) + 1;
        if (g.required) this.required[d] = (this.required[d] as number) + 1;
        this.best[d] = 0;
      }
    }
  }

  private scoreList(
    list: PostingList,
    weight: number,
    stats: CorpusStats,
    p: Bm25fParams,
    norm: Float64Array,
    seenCount: number,
  ): number {
    const { ids, tfs } = list;
    for (let i = 0; i < list.length; i++) {
      const d = ids[i] as number;
      if (!stats.alive[d]) continue;
      let tf = 0;
      const base = i * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const t = tfs[base + f] as number;
        if (t === 0) continue;
        const len = stats.fieldLen[d * FIELD_COUNT + f] as number;
        tf += (t * (p.weights[f] as number)) / (1 - (p.b[f] as number) + len * (norm[f] as number));
      }
      const s = (weight * tf) / (p.k1 + tf);
      const prev = this.best[d] as number;
      if (prev === 0) this.seen[seenCount++] = d;
      if (s > prev) this.best[d] = s;
    }
    return seenCount;
  }
}

/** b_f / avglen_f per field, so the inner loop multiplies instead of divides. */
function fieldNorms(stats: CorpusStats, p: Bm25fParams): Float64Array {
  const n = new Float64Array(FIELD_COUNT);
  for (let f = 0; f < FIELD_COUNT; f++) {
    const avg = stats.avgFieldLen[f] as number;
    n[f] = avg > 0 ? (p.b[f] as number) / avg : 0;
  }
  return n;
}

/** BM25 of one field for one term, used by ranker features on a handful of candidates. */
export function fieldBm25(
  tf: number,
  len: number,
  avgLen: number,
  df: number,
  liveDocs: number,
  k1: number,
  b: number,
): number {
  if (tf === 0) return 0;
  const idf = Math.log(1 + (liveDocs - df + 0.5) / (df + 0.5));
  const norm = tf / (1 - b + (b * len) / (avgLen || 1));
  return (idf * norm) / (k1 + norm);
}
