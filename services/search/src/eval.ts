/**
 * The evaluation run shared by `npm run search -- eval` and the benchmark: index a products TSV,
 * send every query through the same parser, engine and ranker as the service, return rankings.
 * It never sees judgments.
 */
import { buildIndexFrom } from './build.ts';
import type { EmbeddedIndex } from './embedded/engine.ts';
import { parseQuery, sanitize } from './query-parser.ts';
import type { Ranker } from './ranker/ranker.ts';
import type { SynonymMap } from './synonyms.ts';
import type { ParsedQuery } from './types.ts';

export async function indexTitles(
  products: Iterable<[string, string]>,
  synonyms: SynonymMap,
  ranker: Ranker | undefined,
  onProgress?: (indexed: number) => void,
): Promise<EmbeddedIndex> {
  const docs = (function* () {
    for (const [id, title] of products) yield { id, title };
  })();
  const opts = ranker ? { synonyms, ranker } : { synonyms };
  return buildIndexFrom(docs, (p) => onProgress?.(p.indexed), opts);
}

/** Parses like the service; a query whose inline filter is malformed is searched as plain words. */
export function evalQuery(raw: string, k: number): ParsedQuery {
  const parsed = parseQuery(raw);
  const base: ParsedQuery = parsed.ok
    ? parsed.query
    : {
        text: sanitize(raw).replace(/"/g, ' '),
        phrases: [],
        filters: {},
        sort: 'relevance',
        page: 1,
        perPage: k,
      };
  return { ...base, page: 1, perPage: k };
}

export function runQueries(
  index: EmbeddedIndex,
  queries: [string, string][],
  k: number,
): Map<string, string[]> {
  const run = new Map<string, string[]>();
  for (const [qid, raw] of queries)
    run.set(
      qid,
      index.search(evalQuery(raw, k)).hits.map((h) => h.id),
    );
  return run;
}

export function formatRun(run: Map<string, string[]>): string {
  const lines = ['query_id\tproduct_id\trank'];
  for (const [qid, ids] of run) ids.forEach((id, i) => lines.push(`${qid}\t${id}\t${i + 1}`));
  return lines.join('\n') + '\n';
}
