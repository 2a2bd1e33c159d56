/**
 * Term dictionary: term ↔ id, live document frequency, and the lookups behind typo tolerance
 * (candidates bucketed by first letter and length, so a lookup scans a few hundred words rather
 * than the whole vocabulary; like most engines we assume the first letter is typed right) and
 * prefix completion (a lazily sorted term list).
 */
import { boundedDistance } from './edit-distance.ts';

export interface FuzzyMatch {
  term: number;
  distance: number;
}

export class TermDictionary {
  readonly terms: string[] = [];
  readonly ids = new Map<string, number>();
  df = new Uint32Array(1024);
  private readonly buckets = new Map<string, number[]>();
  private sorted: number[] | undefined;

  get size(): number {
    return this.terms.length;
  }

  idOf(term: string): number | undefined {
    return this.ids.get(term);
  }

  intern(term: string): number {
    const known = this.ids.get(term);
    if (known !== undefined) return known;
    const id = this.terms.length;
    this.terms.push(term);
    this.ids.set(term, id);
    if (id >= this.df.length) {
      const df = new Uint32Array(this.df.length * 2);
      df.set(this.df);
      this.df = df;
    }
    const key = bucketKey(term[0] ?? '', term.length);
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(id);
    else this.buckets.set(key, [id]);
    this.sorted = undefined;
    return id;
  }

  /** Live terms within `max` edits of `term` (excluding itself), closest first. */
  fuzzy(term: string, max: number): FuzzyMatch[] {
    const out: FuzzyMatch[] = [];
    if (max <= 0 || term.length === 0) return out;
    const first = term[0] as string;
    for (let len = term.length - max; len <= term.length + max; len++) {
      const bucket = this.buckets.get(bucketKey(first, len));
      if (!bucket) continue;
      for (const id of bucket) {
        if (this.df[id] === 0) continue;
        const t = this.terms[id] as string;
        if (t === term) continue;
        const d = boundedDistance(term, t, max);
        if (d <= max) out.push({ term: id, distance: d });
      }
    }
    return out.sort((a, b) => a.distance - b.distance || (this.df[b.term] ?? 0) - (this.df[a.term] ?? 0));
  }

  /** Live terms starting with `prefix`, most frequent first. */
  withPrefix(prefix: string, limit: number): number[] {
    const sorted = this.sortedIds();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.terms[sorted[mid] as number] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < sorted.length; i++) {
      const id = sorted[i] as number;
      if (!(this.terms[id] as string).startsWith(prefix)) break;
      if ((this.df[id] ?? 0) > 0) found.push(id);
    }
    found.sort((a, b) => (this.df[b] ?? 0) - (this.df[a] ?? 0));
    return found.slice(0, limit);
  }

  private sortedIds(): number[] {
    if (!this.sorted) {
      const ids = this.terms.map((_t, i) => i);
      ids.sort((a, b) => ((this.terms[a] as string) < (this.terms[b] as string) ? -1 : 1));
      this.sorted = ids;
    }
    return this.sorted;
  }
}

function bucketKey(first: string, len: number): string {
  return `${first}${len}`;
}
