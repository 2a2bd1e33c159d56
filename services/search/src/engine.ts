/** The search engine as a library (bench, eval, tools); the service entry is index.ts. */
export type * from './types.ts';
export { SORT_ORDERS } from './types.ts';
export { analyze, normaliseText } from './analyzer.ts';
export { stem } from './stemmer.ts';
export {
  parseQuery,
  sanitize,
  MAX_QUERY_LENGTH,
  MAX_PER_PAGE,
  MAX_PAGE,
  DEFAULT_PER_PAGE,
  type ParseResult,
  type SearchParams,
  type ValidationError,
} from './query-parser.ts';
export { EmbeddedIndex, MAX_RESULT_WINDOW, type EngineOptions } from './embedded/engine.ts';
export { loadSnapshot, SnapshotError, SNAPSHOT_VERSION } from './embedded/snapshot.ts';
export { buildIndexFrom, createEmbeddedIndex, type BuildProgress } from './build.ts';
export { Ranker, loadRanker, DEFAULT_RANKER_PATH, type RankerModel } from './ranker/ranker.ts';
export { FEATURES } from './ranker/features.ts';
export { parseSynonyms, loadSynonyms, type SynonymMap } from './synonyms.ts';
export {
  formatResponse,
  categoryTree,
  type SearchResponse,
  type SearchItem,
  type CategoryNode,
} from './format.ts';
export { runQueries, formatRun, evalQuery } from './eval.ts';

/** The shipped synonyms file a shop edits. */
export const DEFAULT_SYNONYMS_PATH = new URL('../synonyms.txt', import.meta.url);
