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
  touched: number[] = [];

  ensure(cap: number): void {
    if (this.score.length >= cap) return;
    const n = Math.max(cap, this.score.length * 2);
    this.score = new Float32Array(n);
    this.cover = new Uint8Array(n);
    this.required = new Uint8Array(n);
    this.best = new Float32Array(n);
  }

  reset(): void {
    for (const d of this.touched) {
      this.score[d] = 0;
      this.cover[d] = 0;
      this.required[d] = 0;
    }
    this.touched = [];
  }

  addGroups(groups: TermGroup[], postings: PostingList[], stats: CorpusStats, p: Bm25fParams): void {
    const norm = fieldNorms(stats, p);
    for (const g of groups) {
      const seen: number[] = [];
      for (const alt of g.alts) {
        const list = postings[alt.term];
        if (!list) continue;
        const df = stats.df[alt.term] ?? 0;
        const idf = Math.log(1 + (stats.liveDocs - df + 0.5) / (df + 0.5));
        this.scoreList(list, alt.weight * idf, stats, p, norm, seen);
      }
      for (const d of seen) {
        if (this.score[d] === 0 && this.cover[d] === 0 && this.required[d] === 0) this.touched.push(d);
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
    seen: number[],
  ): void {
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
      if (prev === 0) seen.push(d);
      if (s > prev) this.best[d] = s;
    }
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
