/**
 * BM25F accumulation over term groups. Per posting, field term frequencies are length-normalised
 * per field, weighted and summed into one pseudo-frequency before the BM25 saturation (Robertson
 * & Zaragoza's BM25F), so a word repeated across title and description is not counted twice.
 * Scratch arrays are dense over internal doc ids and reset through touched lists, which keeps a
 * query's cost proportional to the postings it reads.
 */
import type { TermAlt, TermGroup } from '../expander.ts';
import { FIELD_COUNT, type Bm25fParams } from './fields.ts';
import type { PostingList } from './postings.ts';

export interface CorpusStats {
  liveDocs: number;
  fieldLen: Uint16Array;
  avgFieldLen: number[];
  df: Uint32Array;
  alive: Uint8Array;
}

/**
 * The BM25F saturation tf/(k1 + tf) of a posting depends only on the document and the average
 * field lengths, not on the query: it is computed once per posting and cached beside the list
 * (4 bytes a posting), so scoring is one multiply per posting. Averages are frozen while they
 * drift less than DRIFT from the live ones (at a million documents one update moves them by
 * about 1e-6), so a stream of updates does not invalidate every cache (ADR 0207).
 */
const DRIFT = 0.005;

export class Impacts {
  version = 0;
  private avg = new Float64Array(FIELD_COUNT).fill(-1);
  private norm = new Float64Array(FIELD_COUNT);

  /** Re-freezes the averages when they drifted; every cached list is then recomputed on use. */
  refresh(stats: CorpusStats, p: Bm25fParams): void {
    const live = stats.avgFieldLen;
    let drifted = false;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const a = live[f] as number;
      const frozen = this.avg[f] as number;
      if (Math.abs(a - frozen) > DRIFT * Math.max(frozen, 1e-9)) drifted = true;
    }
    if (!drifted) return;
    this.version++;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const a = live[f] as number;
      this.avg[f] = a;
      this.norm[f] = a > 0 ? (p.b[f] as number) / a : 0;
    }
  }

  of(list: PostingList, stats: CorpusStats, p: Bm25fParams): Float32Array {
    if (list.impactVersion !== this.version) {
      list.impact = new Float32Array(list.length);
      list.impactLength = 0;
      list.impactVersion = this.version;
    } else if (list.impact.length < list.length) {
      // Postings were appended since: keep what is computed, with room to grow like the list.
      const grown = new Float32Array(list.ids.length);
      grown.set(list.impact.subarray(0, list.impactLength));
      list.impact = grown;
    }
    if (list.impactLength < list.length) this.fill(list, list.impactLength, stats, p);
    list.impactLength = list.length;
    return list.impact;
  }

  private fill(list: PostingList, from: number, stats: CorpusStats, p: Bm25fParams): void {
    const { ids, tfs, impact } = list;
    const norm = this.norm;
    for (let i = from; i < list.length; i++) {
      const d = ids[i] as number;
      let tf = 0;
      const base = i * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const t = tfs[base + f] as number;
        if (t === 0) continue;
        const len = stats.fieldLen[d * FIELD_COUNT + f] as number;
        tf += (t * (p.weights[f] as number)) / (1 - (p.b[f] as number) + len * (norm[f] as number));
      }
      impact[i] = tf / (p.k1 + tf);
    }
  }
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
  readonly impacts = new Impacts();

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
    this.impacts.refresh(stats, p);
    for (const g of groups) {
      const lists = g.alts.filter((alt) => postings[alt.term] !== undefined);
      if (lists.length === 1) {
        const alt = lists[0] as TermAlt;
        this.addList(postings[alt.term] as PostingList, alt.weight * idf(stats, alt.term), g, stats, p);
        continue;
      }
      let seenCount = 0;
      for (const alt of lists) {
        const list = postings[alt.term] as PostingList;
        seenCount = this.bestOfList(list, alt.weight * idf(stats, alt.term), stats, p, seenCount);
      }
      for (let i = 0; i < seenCount; i++) {
        const d = this.seen[i] as number;
        this.credit(d, this.best[d] as number, g);
        this.best[d] = 0;
      }
    }
  }

  private credit(d: number, s: number, g: TermGroup): void {
    if (this.score[d] === 0 && this.cover[d] === 0 && this.required[d] === 0)
      this.touchedIds[this.touchedCount++] = d;
    this.score[d] = (this.score[d] as number) + s;
    if (g.counts) this.cover[d] = (this.cover[d] as number) + 1;
    if (g.required) this.required[d] = (this.required[d] as number) + 1;
  }

  /** A group of one term: its postings go straight into the scores (no per-group best). */
  private addList(list: PostingList, weight: number, g: TermGroup, stats: CorpusStats, p: Bm25fParams): void {
    const impact = this.impacts.of(list, stats, p);
    const { ids } = list;
    const { alive } = stats;
    const { score, cover, required } = this;
    const counts = g.counts ? 1 : 0;
    const req = g.required ? 1 : 0;
    let touched = this.touchedCount;
    const touchedIds = this.touchedIds;
    for (let i = 0; i < list.length; i++) {
      const d = ids[i] as number;
      if (!alive[d]) continue;
      const prev = score[d] as number;
      if (prev === 0 && cover[d] === 0 && required[d] === 0) touchedIds[touched++] = d;
      // Rounded like the per-group best it replaces, so scores equal the multi-term path's.
      score[d] = prev + Math.fround(weight * (impact[i] as number));
      cover[d] = (cover[d] as number) + counts;
      required[d] = (required[d] as number) + req;
    }
    this.touchedCount = touched;
  }

  private bestOfList(
    list: PostingList,
    weight: number,
    stats: CorpusStats,
    p: Bm25fParams,
    seenCount: number,
  ): number {
    const impact = this.impacts.of(list, stats, p);
    const { ids } = list;
    const { alive } = stats;
    const { best, seen } = this;
    for (let i = 0; i < list.length; i++) {
      const d = ids[i] as number;
      if (!alive[d]) continue;
      const s = weight * (impact[i] as number);
      const prev = best[d] as number;
      if (prev === 0) seen[seenCount++] = d;
      if (s > prev) best[d] = s;
    }
    return seenCount;
  }
}

function idf(stats: CorpusStats, term: number): number {
  const df = stats.df[term] ?? 0;
  return Math.log(1 + (stats.liveDocs - df + 0.5) / (df + 0.5));
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
