// The scale part of bench/search.ts, in its own process (run with --expose-gc): builds the engine on
// N generated products, measures build rate, memory, in-process latency and type-ahead, prints
// `RESULT <json>`, then serves the search routes and prints `LISTENING <url>` for the HTTP part.
import { loadavg } from 'node:os';
import { createHttpServer, createMetricsRegistry } from '@emporium/platform';
import { EmbeddedIndex } from '../services/search/src/embedded/engine.ts';
import { parseQuery } from '../services/search/src/query-parser.ts';
import { ResultsAggregator } from '../services/search/src/service/aggregator.ts';
import { SearchIndexer } from '../services/search/src/service/indexer.ts';
import { SearchPipeline } from '../services/search/src/service/pipeline.ts';
import { RecentCategories } from '../services/search/src/service/recent.ts';
import { registerPublicRoutes } from '../services/search/src/service/routes.ts';
import { defaultEngineOptions } from '../services/search/src/service/service.ts';
import type { SearchDocument } from '../services/search/src/types.ts';
import type { CatalogApi, ProductSummary } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';
import { generatedDocuments, percentile, queryMix, toParams, typeaheadMix } from './lib/search-mix.ts';

const n = Number(process.argv[2]);
const queryCount = Number(process.argv[3] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const log = (s: string) => process.stderr.write(`${s}\n`);

function memory(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const before = memory();
const index = new EmbeddedIndex(await defaultEngineOptions());
const pool: SearchDocument[] = [];
const step = Math.max(1, Math.floor(n / 5000));
let buildMs = 0;
let i = 0;
for (const doc of generatedDocuments(n)) {
  if (i % step === 0) pool.push(doc);
  const t = performance.now();
  index.upsert(doc);
  buildMs += performance.now() - t;
  if (++i % 100_000 === 0) log(`  engine: indexed ${i.toLocaleString('en')}`);
}
// Renumbering by category and brand is part of a bulk build (ADR 0208), so it counts in the rate.
const clusterStarted = performance.now();
index.cluster();
const clusterMs = performance.now() - clusterStarted;
buildMs += clusterMs;
const bytesPerProduct = (memory() - before) / n;
log(
  `  engine: ${n} products in ${(buildMs / 1000).toFixed(1)} s (clustering ${(clusterMs / 1000).toFixed(1)} s), ${bytesPerProduct.toFixed(0)} B/product`,
);

const mix = queryMix(pool, queryCount);
const parsed = mix.map((m) => {
  const r = parseQuery(toParams(m));
  if (!r.ok) throw new Error(r.error.message);
  return r.query;
});
for (const q of parsed.slice(0, 200)) index.search(q);
const times: number[] = [];
let hits = 0;
const wall = performance.now();
for (const q of parsed) {
  const t = performance.now();
  hits += index.search(q).total;
  times.push(performance.now() - t);
}
const wallMs = performance.now() - wall;
const typeahead = typeaheadMix(pool, queryCount);
for (const q of typeahead.slice(0, 200)) index.suggest(q, 8);
const taTimes = typeahead.map((q) => {
  const t = performance.now();
  index.suggest(q, 8);
  return performance.now() - t;
});

// Again after serving: lazily built structures (impact cache, completion view, scratch) count too.
const bytesPerProductServing = (memory() - before) / n;

const result = {
  products: n,
  bytesPerProductServing,
  buildMs,
  clusterMs,
  buildRate: n / (buildMs / 1000),
  bytesPerProduct,
  queries: parsed.length,
  meanTotal: hits / parsed.length,
  p50Ms: percentile(times, 50),
  p99Ms: percentile(times, 99),
  meanMs: times.reduce((a, b) => a + b, 0) / times.length,
  qpsOneCore: parsed.length / (wallMs / 1000),
  typeaheadP50Ms: percentile(taTimes, 50),
  typeaheadP99Ms: percentile(taTimes, 99),
  loadAvg: loadavg(),
  mix,
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);

// The HTTP part: the real controller, parser, engine, aggregator and formatter; hydration answers
// from the indexed documents (in memory), since the catalog is not what this measures.
const catalog = {
  async getProducts(ids: string[]): Promise<ProductSummary[]> {
    return ids.flatMap((id) => {
      const d = index.get(id);
      if (!d) return [];
      return [
        {
          id,
          title: d.title,
          brand: d.brand ?? null,
          categoryPath: d.categoryPath ?? [],
          price: d.price ?? { amount: 0, currency: 'USD' },
          rating: d.rating ?? 0,
          ratingCount: 0,
          sellerId: 's',
          status: 'active' as const,
          skus: [],
        },
      ];
    });
  },
} as unknown as CatalogApi;
const inventory = { getAvailability: async () => ({}) } as unknown as InventoryApi;
const indexer = new SearchIndexer({ catalog, inventory, engine: {} });
indexer.index = index;
const pipeline = new SearchPipeline(
  indexer,
  new ResultsAggregator(catalog, inventory),
  new RecentCategories(),
);
const app = createHttpServer({ name: 'bench', logLevel: 'warn', metrics: createMetricsRegistry() });
await app.register(async (scoped) => registerPublicRoutes(scoped as typeof app, pipeline), {
  prefix: '/api/v1',
});
process.stdout.write(`LISTENING ${await app.listen({ port: 0, host: '127.0.0.1' })}\n`);
