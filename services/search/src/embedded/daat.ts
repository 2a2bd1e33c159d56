/**
 * Document-at-a-time matching: the query's posting lists (ascending doc ids) are merged, so each
 * matching document is scored once, completely, when the merge reaches it. Everything is read
 * front to back: no accumulator the size of the collection, no random access per posting, and
 * the match set comes out in doc id order, which the facet pass then also reads in order.
 * At a million documents the term-at-a-time accumulator was bound by cache misses (ADR 0207).
 * A document's score for a group is its best alternative; groups add up in query order, rounded
 * to float32 like the accumulator it replaces, so scores are unchanged.
 * Queries that accept some of their words are read in windows (disjunction.ts, ADR 0208); so
 * are those that need every word, driven by the rarest, unless that word is so rare that
 * galloping the other lists to its documents (the merge here) reads fewer postings.
 */
import type { TermGroup } from '../expander.ts';
import type { Bm25fParams } from './fields.ts';
import type { PostingList } from './postings.ts';
import type { CorpusStats, Impacts } from './scorer.ts';
import { WindowedDisjunction } from './disjunction.ts';

export interface Cursor {
  ids: Uint32Array;
  impact: Float32Array;
  /** The list's postings. */
  total: number;
  /** End of the current doc id range (a position in the list). */
  length: number;
  pos: number;
  group: number;
  weight: number;
  /** Lists of the driving group are merged; the others only skip to the merge's documents. */
  drives: boolean;
}

export interface MatchRule {
  /** Counting groups a document must match. */
  minCover: number;
  /** Required (phrase) groups; a document must match all of them. */
  required: number;
  /** Extra per-document check (filters, phrases); undefined accepts all. */
  accept: ((d: number) => boolean) | undefined;
  /** Doc id ranges [from, to) to search, ascending and disjoint (a category or brand filter's); undefined: all. */
  ranges?: number[];
}

/** What every matching path needs to know about the query. */
export interface QueryShape {
  groups: TermGroup[];
  counts: Int32Array;
  req: Int32Array;
  rule: MatchRule;
  alive: Uint8Array | undefined;
}

const ALL = [0, 0xffffffff];

export class DaatMatcher {
  private best = new Float64Array(16);
  private readonly disjunction = new WindowedDisjunction();

  /** Writes matching docs (ascending) and their scores into the buffers; returns how many. */
  run(
    groups: TermGroup[],
    postings: PostingList[],
    stats: CorpusStats,
    impacts: Impacts,
    p: Bm25fParams,
    rule: MatchRule,
    docs: Int32Array,
    scores: Float32Array,
  ): number {
    impacts.refresh(stats, p);
    const cursors = this.cursors(groups, postings, stats, impacts, p);
    if (this.best.length < groups.length) this.best = new Float64Array(groups.length * 2);
    const shape: QueryShape = {
      groups,
      counts: Int32Array.from(groups, (x) => (x.counts ? 1 : 0)),
      req: Int32Array.from(groups, (x) => (x.required ? 1 : 0)),
      rule,
      alive: stats.deadPostings > 0 ? stats.alive : undefined,
    };
    const ranges = rule.ranges ?? ALL;
    let n = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      for (const c of cursors) restrict(c, ranges[r] as number, ranges[r + 1] as number);
      n = this.runRange(cursors, shape, docs, scores, n);
    }
    return n;
  }

  private runRange(
    cursors: Cursor[],
    q: QueryShape,
    docs: Int32Array,
    scores: Float32Array,
    n: number,
  ): number {
    if (cursors.length === 1) return this.single(cursors[0] as Cursor, q, docs, scores, n);
    const driving = this.chooseDriver(cursors, q.groups, q.rule.minCover);
    if (driving === null) return n;
    if (!driving) return this.disjunction.run(cursors, q, docs, scores, n, false);
    if (!gallopPays(cursors)) return this.disjunction.run(cursors, q, docs, scores, n, true);
    return this.conjunction(cursors, q, docs, scores, n);
  }

  private conjunction(
    cursors: Cursor[],
    q: QueryShape,
    docs: Int32Array,
    scores: Float32Array,
    n: number,
  ): number {
    const { counts, req, alive } = q;
    const { minCover, required, accept } = q.rule;
    const best = this.best;
    const k = cursors.length;
    const g = q.groups.length;
    for (;;) {
      let d = 0xffffffff;
      for (let c = 0; c < k; c++) {
        const cur = cursors[c] as Cursor;
        if (cur.drives && cur.pos < cur.length) {
          const head = cur.ids[cur.pos] as number;
          if (head < d) d = head;
        }
      }
      if (d === 0xffffffff) break;
      for (let c = 0; c < k; c++) if (!(cursors[c] as Cursor).drives) skipTo(cursors[c] as Cursor, d);
      for (let c = 0; c < k; c++) {
        const cur = cursors[c] as Cursor;
        if (cur.pos >= cur.length || cur.ids[cur.pos] !== d) continue;
        const s = cur.weight * (cur.impact[cur.pos] as number);
        if (s > (best[cur.group] as number)) best[cur.group] = s;
        cur.pos++;
      }
      let score = 0;
      let cover = 0;
      let reqs = 0;
      for (let i = 0; i < g; i++) {
        const b = best[i] as number;
        if (b === 0) continue;
        score = Math.fround(score + Math.fround(b));
        cover += counts[i] as number;
        reqs += req[i] as number;
        best[i] = 0;
      }
      if (cover < minCover || reqs !== required) continue;
      if (alive && !alive[d]) continue;
      if (accept && !accept(d)) continue;
      docs[n] = d;
      scores[n++] = score;
    }
    return n;
  }

  /**
   * When a match needs every counting group (1-2 word queries), only documents of the group with
   * the fewest postings can match: its lists drive the merge and the others gallop to each of its
   * documents, so a rare word with a frequent one reads the frequent list in a few jumps.
   * Returns true in that mode, false when every list is merged (OR), null when nothing can match.
   */
  private chooseDriver(cursors: Cursor[], groups: TermGroup[], minCover: number): boolean | null {
    const postingsOf = new Map<number, number>();
    for (const c of cursors)
      if ((groups[c.group] as TermGroup).counts)
        postingsOf.set(c.group, (postingsOf.get(c.group) ?? 0) + c.length - c.pos);
    for (const c of cursors) c.drives = true;
    if (minCover > postingsOf.size) return null;
    if (minCover < postingsOf.size || minCover === 0) return false;
    let driver = -1;
    for (const [group, total] of postingsOf)
      if (driver < 0 || total < (postingsOf.get(driver) as number)) driver = group;
    for (const c of cursors) c.drives = c.group === driver;
    return true;
  }

  /** One list: its postings are the matches, in order, scored straight from the cached impacts. */
  private single(cur: Cursor, q: QueryShape, docs: Int32Array, scores: Float32Array, n: number): number {
    const g = q.groups[cur.group] as TermGroup;
    const { rule, alive } = q;
    if ((g.counts ? 1 : 0) < rule.minCover || (g.required ? 1 : 0) !== rule.required) return n;
    const { ids, impact, weight, length } = cur;
    const accept = rule.accept;
    for (let i = cur.pos; i < length; i++) {
      const d = ids[i] as number;
      if (alive && !alive[d]) continue;
      if (accept && !accept(d)) continue;
      docs[n] = d;
      scores[n++] = Math.fround(weight * (impact[i] as number));
    }
    return n;
  }

  private cursors(
    groups: TermGroup[],
    postings: PostingList[],
    stats: CorpusStats,
    impacts: Impacts,
    p: Bm25fParams,
  ): Cursor[] {
    const out: Cursor[] = [];
    groups.forEach((g, group) => {
      for (const alt of g.alts) {
        const list = postings[alt.term];
        if (!list || list.length === 0) continue;
        const df = stats.df[alt.term] ?? 0;
        const idf = Math.log(1 + (stats.liveDocs - df + 0.5) / (df + 0.5));
        const impact = impacts.of(list, stats, p);
        out.push({
          ids: list.ids,
          impact,
          total: list.length,
          length: list.length,
          pos: 0,
          group,
          weight: alt.weight * idf,
          drives: true,
        });
      }
    });
    return out;
  }
}

/**
 * Galloping costs about ten times a windowed step per driving posting, but never reads the
 * other lists' postings between the driver's documents: it pays when those are many more.
 */
function gallopPays(cursors: Cursor[]): boolean {
  let driving = 0;
  let others = 0;
  for (const c of cursors) {
    if (c.drives) driving += c.length - c.pos;
    else others += c.length - c.pos;
  }
  return others > 10 * driving;
}

/** Limits a cursor to the doc ids [from, to). */
function restrict(cur: Cursor, from: number, to: number): void {
  cur.pos = lowerBound(cur.ids, cur.total, from);
  cur.length = lowerBound(cur.ids, cur.total, to);
}

function lowerBound(ids: Uint32Array, length: number, d: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Moves a cursor to its first posting >= d: exponential then binary search. */
export function skipTo(cur: Cursor, d: number): void {
  const { ids, length } = cur;
  let lo = cur.pos;
  if (lo >= length || (ids[lo] as number) >= d) return;
  let step = 1;
  let hi = lo + 1;
  while (hi < length && (ids[hi] as number) < d) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > length) hi = length;
  // ids[lo] < d, and ids[hi] >= d or hi is the end.
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < d) lo = mid;
    else hi = mid;
  }
  cur.pos = hi;
}
