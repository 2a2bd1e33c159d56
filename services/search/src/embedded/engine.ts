/**
 * The embedded SearchIndex: an in-process inverted index with BM25F scoring, typo tolerance,
 * synonyms, filters, facets, sorts, pagination and an optional learned re-ranker (ADR 0200).
 */
import { analyze } from '../analyzer.ts';
import { DEFAULT_EXPAND, QueryExpander, type ExpandOptions, type TermGroup } from '../expander.ts';
import { extractFeatures } from '../ranker/features.ts';
import type { Ranker } from '../ranker/ranker.ts';
import type { SynonymMap } from '../synonyms.ts';
import type {
  ParsedQuery,
  SearchContext,
  SearchDocument,
  SearchIndex,
  SearchResult,
  Suggestion,
} from '../types.ts';
import { DocColumns, hasFilter, type CompiledFilter } from './columns.ts';
import { TermDictionary } from './dictionary.ts';
import { computeFacets } from './facets.ts';
import { DEFAULT_BM25F, FIELD_COUNT, FIELDS, TITLE, fieldTexts, type Bm25fParams } from './fields.ts';
import { hasPhrases } from './phrase.ts';
import { PostingList } from './postings.ts';
import { DaatMatcher } from './daat.ts';
import { ClusterLayout, clusterIndex } from './cluster.ts';
import { Impacts, type CorpusStats } from './scorer.ts';
import { sortMatches } from './sorting.ts';
import { Suggester } from './suggest.ts';
import { TitleTerms } from './titles.ts';
import { topKPositions } from './topk.ts';

export interface EngineOptions {
  bm25f: Bm25fParams;
  expand: ExpandOptions;
  /** Share of a query's words a match must contain (2 words or fewer: all), relaxed to one word if nothing matches. */
  minShouldMatch: number;
  synonyms: SynonymMap;
  ranker?: Ranker;
}

export const DEFAULT_ENGINE: EngineOptions = {
  bm25f: DEFAULT_BM25F,
  expand: DEFAULT_EXPAND,
  minShouldMatch: 0,
  synonyms: new Map(),
};

/** Pages beyond this many results are clamped (deep paging is a crawler, not a shopper). */
export const MAX_RESULT_WINDOW = 10_000;

/** A match set: views of buffers reused by the next match (consume before matching again). */
export interface Candidates {
  groups: TermGroup[];
  docs: Int32Array;
  scores: Float32Array;
}

export class EmbeddedIndex implements SearchIndex, CorpusStats {
  readonly dict = new TermDictionary();
  postings: PostingList[] = [];
  alive = new Uint8Array(1024);
  fieldLen = new Uint16Array(1024 * FIELD_COUNT);
  readonly fieldLenSum = new Float64Array(FIELD_COUNT);
  docs: (SearchDocument | undefined)[] = [];
  readonly ids = new Map<string, number>();
  readonly cols = new DocColumns();
  titles = new TitleTerms();
  liveDocs = 0;
  /** Which ids are in cluster order, and where each category's documents sit among them. */
  readonly layout = new ClusterLayout();
  /** Postings of removed documents still in the lists (dropped by compaction). */
  deadPostings = 0;
  totalPostings = 0;
  private readonly matcher = new DaatMatcher();
  private readonly impacts = new Impacts();
  private matchDocs = new Int32Array(0);
  private matchScores = new Float32Array(0);
  readonly suggester = new Suggester();
  readonly expander: QueryExpander;
  readonly options: EngineOptions;

  constructor(options: Partial<EngineOptions> = {}) {
    this.options = { ...DEFAULT_ENGINE, ...options };
    this.expander = new QueryExpander(this.dict, this.options.synonyms, this.options.expand);
  }

  get df(): Uint32Array {
    return this.dict.df;
  }

  get avgFieldLen(): number[] {
    return Array.from(this.fieldLenSum, (s) => (this.liveDocs > 0 ? s / this.liveDocs : 0));
  }

  setRanker(ranker: Ranker | undefined): void {
    this.options.ranker = ranker;
  }

  size(): number {
    return this.liveDocs;
  }

  get(id: string): SearchDocument | undefined {
    const d = this.ids.get(id);
    return d === undefined ? undefined : this.docs[d];
  }

  upsertMany(docs: Iterable<SearchDocument>): void {
    for (const d of docs) this.upsert(d);
  }

  upsert(doc: SearchDocument): void {
    this.remove(doc.id);
    const d = this.docs.length;
    this.ensureDocCapacity(d + 1);
    // Columns first: they refuse an impossible document before the index counts it.
    this.cols.set(d, doc);
    this.docs.push(doc);
    this.ids.set(doc.id, d);
    this.alive[d] = 1;
    this.liveDocs++;
    this.suggester.index(doc.title, 1);
    for (const [term, tfs] of this.termFrequencies(doc, d)) {
      const id = this.dict.intern(term);
      (this.postings[id] ??= new PostingList()).add(d, tfs);
      this.dict.df[id] = (this.dict.df[id] ?? 0) + 1;
      this.totalPostings++;
    }
  }

  /** Stock changes touch one column, not the postings: no re-analysis. */
  setStock(id: string, inStock: boolean | undefined, skusInStock?: string[]): boolean {
    const d = this.ids.get(id);
    if (d === undefined) return false;
    const doc = this.docs[d] as SearchDocument;
    this.docs[d] = { ...doc, inStock, ...(skusInStock ? { skusInStock } : {}) };
    this.cols.setStock(d, inStock === undefined ? -1 : inStock ? 1 : 0);
    return true;
  }

  remove(id: string): boolean {
    const d = this.ids.get(id);
    if (d === undefined) return false;
    const doc = this.docs[d] as SearchDocument;
    for (const [term] of this.termFrequencies(doc, -1)) {
      const t = this.dict.idOf(term);
      if (t !== undefined) this.dict.df[t] = (this.dict.df[t] ?? 1) - 1;
      this.deadPostings++;
    }
    for (let f = 0; f < FIELD_COUNT; f++)
      this.fieldLenSum[f] = (this.fieldLenSum[f] as number) - (this.fieldLen[d * FIELD_COUNT + f] as number);
    this.suggester.index(doc.title, -1);
    this.alive[d] = 0;
    this.docs[d] = undefined;
    this.cols.clear(d);
    this.ids.delete(id);
    this.liveDocs--;
    if (this.deadPostings > 1000 && this.deadPostings * 4 > this.totalPostings) this.compact();
    return true;
  }

  /** Term → per-field frequencies; records field lengths when `d` is a new internal id. */
  private termFrequencies(doc: SearchDocument, d: number): Map<string, number[]> {
    const out = new Map<string, number[]>();
    fieldTexts(doc).forEach((text, f) => {
      const terms = text ? analyze(text) : [];
      if (d >= 0) {
        const len = Math.min(terms.length, 65535);
        this.fieldLen[d * FIELD_COUNT + f] = len;
        this.fieldLenSum[f] = (this.fieldLenSum[f] as number) + len;
        if (f === TITLE)
          this.titles.set(
            d,
            terms.map((t) => this.dict.intern(t)),
          );
      }
      for (const t of terms) {
        let tfs = out.get(t);
        if (!tfs) out.set(t, (tfs = new Array<number>(FIELD_COUNT).fill(0)));
        tfs[f] = (tfs[f] as number) + 1;
      }
    });
    return out;
  }

  /** Loads documents, field lengths and titles from a snapshot (postings are set by the loader). */
  restore(docs: SearchDocument[], fieldLen: Uint16Array, titles: TitleTerms): void {
    this.ensureDocCapacity(docs.length);
    this.fieldLen.set(fieldLen);
    this.titles = titles;
    docs.forEach((doc, d) => {
      this.docs.push(doc);
      this.ids.set(doc.id, d);
      this.alive[d] = 1;
      this.cols.set(d, doc);
      this.suggester.index(doc.title, 1);
      for (let f = 0; f < FIELD_COUNT; f++)
        this.fieldLenSum[f] = (this.fieldLenSum[f] as number) + (fieldLen[d * FIELD_COUNT + f] as number);
    });
    this.liveDocs = docs.length;
  }

  /**
   * Renumbers documents in (category path, brand) order and drops removed ones (ADR 0208); for
   * after a bulk build. Blocks for about a second per 200,000 documents.
   */
  cluster(): void {
    clusterIndex(this);
  }

  private compact(): void {
    for (const list of this.postings) list?.compact(this.alive);
    this.totalPostings -= this.deadPostings;
    this.deadPostings = 0;
  }

  private ensureDocCapacity(n: number): void {
    if (n <= this.alive.length) return;
    const cap = Math.max(n, this.alive.length * 2);
    const alive = new Uint8Array(cap);
    alive.set(this.alive);
    this.alive = alive;
    const lens = new Uint16Array(cap * FIELD_COUNT);
    lens.set(this.fieldLen);
    this.fieldLen = lens;
    this.cols.ensure(cap);
  }

  /** Term groups for the free text and the quoted phrases of a query. */
  groupsFor(query: Pick<ParsedQuery, 'text' | 'phrases'>, opts: Partial<ExpandOptions> = {}): TermGroup[] {
    const groups = this.expander.expand(query.text, false, opts);
    for (const p of query.phrases)
      groups.push(...this.expander.expand(p, true, { ...opts, prefixLast: false }));
    return groups;
  }

  /** Matching documents with their BM25F scores, filters applied, in internal id order. */
  match(query: ParsedQuery, groups: TermGroup[]): Candidates {
    const filter = this.cols.compile(query.filters);
    this.ensureMatchBuffers();
    if (filter === null) return this.candidates(groups, 0);
    const hasText = analyze(query.text).length > 0 || query.phrases.some((p) => analyze(p).length > 0);
    if (!hasText) return this.browse(groups, filter);
    const required = groups.filter((g) => g.required).length;
    const phrases = query.phrases.map(analyze).filter((p) => p.length > 0);
    const counting = groups.filter((g) => g.counts && g.alts.length > 0).length;
    const msm = counting <= 2 ? counting : Math.max(1, Math.ceil(counting * this.options.minShouldMatch));
    const filtering = hasFilter(filter);
    const accept =
      filtering || phrases.length > 0
        ? (d: number) =>
            (!filtering || this.cols.matches(d, filter)) &&
            (phrases.length === 0 || hasPhrases(this.docs[d] as SearchDocument, phrases))
        : undefined;
    const collect = (minCover: number): Candidates => {
      const n = this.matcher.run(
        groups,
        this.postings,
        this,
        this.impacts,
        this.options.bm25f,
        { minCover, required, accept, ranges: this.layout.rangesFor(filter.category, filter.brands) },
        this.matchDocs,
        this.matchScores,
      );
      return this.candidates(groups, n);
    };
    const found = collect(msm);
    return found.docs.length === 0 && msm > 1 ? collect(1) : found;
  }

  private candidates(groups: TermGroup[], n: number): Candidates {
    return { groups, docs: this.matchDocs.subarray(0, n), scores: this.matchScores.subarray(0, n) };
  }

  private ensureMatchBuffers(): void {
    if (this.matchDocs.length >= this.docs.length) return;
    // Scratch of 8 bytes per document: a quarter of headroom, not double, at a million documents.
    const cap = Math.max(1024, Math.ceil(this.docs.length * 1.25));
    this.matchDocs = new Int32Array(cap);
    this.matchScores = new Float32Array(cap);
  }

  private browse(groups: TermGroup[], filter: CompiledFilter): Candidates {
    let n = 0;
    const ranges = this.layout.rangesFor(filter.category, filter.brands) ?? [0, this.docs.length];
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const to = Math.min(ranges[r + 1] as number, this.docs.length);
      for (let d = ranges[r] as number; d < to; d++) {
        if (!this.alive[d] || !this.cols.matches(d, filter)) continue;
        this.matchDocs[n] = d;
        this.matchScores[n++] = 0;
      }
    }
    return this.candidates(groups, n);
  }

  search(query: ParsedQuery, context: SearchContext = {}): SearchResult {
    const started = performance.now();
    const found = this.match(query, this.groupsFor(query));
    const facets = computeFacets(this.cols, found.docs, found.docs.length);
    const perPage = query.perPage;
    const page = Math.min(query.page, Math.max(1, Math.floor(MAX_RESULT_WINDOW / perPage)));
    const ordered = sortMatches(this, found, query.sort, page * perPage, context);
    const hits = ordered.slice((page - 1) * perPage, page * perPage).map(({ doc, score }) => ({
      id: (this.docs[doc] as SearchDocument).id,
      score,
      doc: this.docs[doc] as SearchDocument,
    }));
    return { total: found.docs.length, page, perPage, hits, facets, tookMs: performance.now() - started };
  }

  /** Top candidates by BM25F with their feature rows, for training and evaluating the ranker. */
  candidateFeatures(
    text: string,
    depth: number,
    context: SearchContext = {},
  ): { docs: number[]; rows: Float64Array[] } {
    const q: ParsedQuery = { text, phrases: [], filters: {}, sort: 'relevance', page: 1, perPage: depth };
    const found = this.match(q, this.groupsFor(q));
    const top = topKPositions(found.scores, found.docs.length, depth);
    const docs = top.map((i) => found.docs[i] as number);
    const scoreOf = new Map(top.map((i) => [found.docs[i] as number, found.scores[i] as number]));
    const rows = extractFeatures(this, found.groups, docs, (d) => scoreOf.get(d) ?? 0, context);
    return { docs, rows };
  }

  /** The analysed title of an internal document, as indexed. */
  titleTokens(d: number): string[] {
    return Array.from(this.titles.of(d), (t) => this.dict.terms[t] as string);
  }

  suggest(prefix: string, limit = 10): Suggestion[] {
    return this.suggester.suggest(prefix, limit);
  }

  fieldNames(): readonly string[] {
    return FIELDS;
  }

  async saveSnapshot(file: string): Promise<void> {
    const { writeSnapshot } = await import('./snapshot.ts');
    await writeSnapshot(this, file);
  }
}
