/**
 * BM25F accumulation over term groups. Per posting, field term frequencies are length-normalised
 * per field, weighted and summed into one pseudo-frequency before the BM25 saturation (Robertson
 * & Zaragoza's BM25F), so a word repeated across title and description is not counted twice.
 * Matching and summing per document happens in daat.ts.
 */
import { FIELD_COUNT, type Bm25fParams } from './fields.ts';
import type { PostingList } from './postings.ts';

export interface CorpusStats {
  liveDocs: number;
  fieldLen: Uint16Array;
  avgFieldLen: number[];
  df: Uint32Array;
  alive: Uint8Array;
  /** Postings of removed documents still in the lists: when 0, liveness checks are skipped. */
  deadPostings: number;
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
