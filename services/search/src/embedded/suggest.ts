/**
 * Type-ahead. The last word is completed against the term dictionary (prefix), earlier words
 * narrow the match set; completions are read back from the titles of the best matches so they
 * are shown as shoppers write them ("batteries", not the stem "battery"), ranked by how many
 * matching products carry them.
 */
import { rawTokens } from '../analyzer.ts';
import type { ParsedQuery, SearchDocument, Suggestion } from '../types.ts';
import type { EmbeddedIndex } from './engine.ts';
import { topKByScore } from './engine.ts';

const SAMPLE = 200;

export function suggest(index: EmbeddedIndex, input: string, limit: number): Suggestion[] {
  const words = rawTokens(input.slice(0, 200));
  const last = words.at(-1);
  if (!last || limit <= 0) return [];
  const head = words.slice(0, -1).join(' ');
  const q: ParsedQuery = {
    text: words.join(' '),
    phrases: [],
    filters: {},
    sort: 'relevance',
    page: 1,
    perPage: SAMPLE,
  };
  const groups = index.groupsFor(q, { prefixLast: true, fuzzyMaxDf: 0 });
  const found = index.match(q, groups);
  const counts = new Map<string, number>();
  for (const d of topKByScore(found, SAMPLE)) {
    const seen = new Set<string>();
    for (const w of rawTokens((index.docs[d] as SearchDocument).title)) {
      if (w.startsWith(last) && w.length > last.length - 1 && !seen.has(w)) {
        seen.add(w);
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([w, count]) => ({ text: head ? `${head} ${w}` : w, count }));
}
