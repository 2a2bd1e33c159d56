/**
 * `npm run bench -- search-phases [--products 1000000] [--queries 1000]`: a diagnostic, not a
 * benchmark of record. Builds (and clusters) the engine on the generated catalog, runs the
 * search bench's query mix and prints where the time goes: expansion, matching, facet counting,
 * ordering (top k + ranker), per query class (words, with or without a filter), and the slowest
 * queries. ADR 0208 was worked out with it; nothing is written to bench/results.
 */
import { EmbeddedIndex } from '../services/search/src/embedded/engine.ts';
import { computeFacets } from '../services/search/src/embedded/facets.ts';
import { sortMatches } from '../services/search/src/embedded/sorting.ts';
import { parseQuery } from '../services/search/src/query-parser.ts';
import { defaultEngineOptions } from '../services/search/src/service/service.ts';
import type { ParsedQuery } from '../services/search/src/types.ts';
import { numberOption } from './lib/options.ts';
import { generatedDocuments, queryMix, samplePool, toParams, type MixQuery } from './lib/search-mix.ts';
import { percentile } from './lib/stats.ts';

const PHASES = ['expand', 'match', 'facets', 'order'] as const;

interface Timed {
  query: MixQuery;
  matches: number;
  ms: number[];
}

function timeQuery(index: EmbeddedIndex, q: ParsedQuery, query: MixQuery): Timed {
  const t0 = performance.now();
  const groups = index.groupsFor(q);
  const t1 = performance.now();
  const found = index.match(q, groups);
  const t2 = performance.now();
  computeFacets(index.cols, found.docs, found.docs.length);
  const t3 = performance.now();
  sortMatches(index, found, q.sort, q.page * q.perPage, {});
  const t4 = performance.now();
  return { query, matches: found.docs.length, ms: [t1 - t0, t2 - t1, t3 - t2, t4 - t3] };
}

function classOf(m: MixQuery): string {
  const filtered = Boolean(m.brand || m.category || m.minPrice || m.inStock || m.minRating);
  return `${m.q.split(' ').length} words${filtered ? ' + filter' : ''}`;
}

function row(label: string, runs: Timed[]): string {
  const total = runs.map((r) => r.ms.reduce((a, b) => a + b, 0));
  const p50 = (xs: number[]) => percentile(xs, 50).toFixed(2);
  const phases = PHASES.map((_, i) => p50(runs.map((r) => r.ms[i] as number)));
  const matches = percentile(
    runs.map((r) => r.matches),
    50,
  );
  return `| ${label} | ${runs.length} | ${p50(total)} | ${percentile(total, 99).toFixed(2)} | ${phases.join(' | ')} | ${matches} |`;
}

export async function main(args: string[]): Promise<void> {
  const n = numberOption(args, 'products', 1_000_000);
  const count = numberOption(args, 'queries', 1000);
  const index = new EmbeddedIndex(await defaultEngineOptions());
  for (const doc of generatedDocuments(n)) index.upsert(doc);
  index.cluster();
  const mix = queryMix(samplePool(n, 5000), count);
  const parsed = mix.map((m) => {
    const r = parseQuery(toParams(m));
    if (!r.ok) throw new Error(r.error.message);
    return r.query;
  });
  for (const q of parsed.slice(0, 200)) index.search(q);
  const runs = parsed.map((q, i) => timeQuery(index, q, mix[i] as MixQuery));
  const classes = new Map<string, Timed[]>();
  for (const r of runs) classes.set(classOf(r.query), [...(classes.get(classOf(r.query)) ?? []), r]);
  console.log(`${n.toLocaleString('en')} products, ${count} queries; milliseconds (p50 unless said)\n`);
  console.log(`| class | queries | total | total p99 | ${PHASES.join(' | ')} | matches |`);
  console.log(`|---|---|---|---|${PHASES.map(() => '---|').join('')}---|`);
  console.log(row('all', runs));
  for (const [label, group] of [...classes].sort()) console.log(row(label, group));
  console.log('\nslowest:');
  for (const r of [...runs]
    .sort((a, b) => b.ms.reduce((x, y) => x + y) - a.ms.reduce((x, y) => x + y))
    .slice(0, 10))
    console.log(
      `  ${r.ms.map((x) => x.toFixed(1)).join(' / ')} ms, ${r.matches} matches: ${JSON.stringify(r.query)}`,
    );
}
