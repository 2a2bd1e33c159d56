/**
 * `npm run bench -- search [--quick] [--sizes 100000,1000000] [--no-relevance] [--no-scale]
 *  [--in-process-only]`
 * (--in-process-only skips the HTTP and PostgreSQL parts of the scale runs):
 * (1) relevance and speed on the Home Depot development split, side by side in one run:
 *   plain BM25 on titles (the README's baseline), MiniSearch 7 (a maintained npm engine, tuned
 *   fairly: fuzzy 0.2, prefix, OR), our engine without the ranker, our engine with the ranker.
 * The ranker row is cross-validated: per query fold, a model is trained (hyper-parameters chosen
 * by inner CV on the training folds) and scored on the held-out fold; the committed model's
 * in-sample figure is shown separately and marked as optimistic. PostgreSQL full-text search
 * (tsvector + GIN, OR of lexemes, ts_rank and ts_rank_cd with length normalisation) is the
 * database baseline on the same titles and queries.
 * (2) latency and scale on the generated catalog (bench/_search-scale.ts in its own process, with
 * --expose-gc for memory): build rate, bytes per product, in-process p50/p99 and type-ahead on a
 * realistic query mix, HTTP p50/p99 and throughput, and PostgreSQL FTS doing the same work.
 */
import { writeFile } from 'node:fs/promises';
import MiniSearch from 'minisearch';
import { loadHomeDepot } from '../services/search/scripts/homedepot.ts';
import { buildHomeDepotIndex, collectTrainingQueries } from '../services/search/scripts/collect.ts';
import { PlainBm25 } from '../services/search/scripts/plain-bm25.ts';
import { evalQuery } from '../services/search/src/eval.ts';
import { evaluateRun, type RunMetrics } from '../services/search/src/metrics.ts';
import { DEFAULT_RANKER_PATH, loadRanker } from '../services/search/src/ranker/ranker.ts';
import { crossValidate } from '../services/search/src/ranker/train.ts';
import { loadTitles, searchTitles, withScratchSchema } from './lib/search-pg.ts';
import { runScale, scaleMarkdown, type ScaleRow } from './lib/search-scale-runner.ts';
import { percentile } from './lib/stats.ts';

interface Row extends Partial<RunMetrics> {
  system: string;
  buildMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  heapMb?: number;
  note?: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** Heap in use after a full collection (`npm run bench` exposes gc), so growth is what is retained. */
function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function timedRun(queries: [string, string][], search: (q: string) => string[]) {
  const run = new Map<string, string[]>();
  const times: number[] = [];
  for (const [qid, q] of queries) {
    const t = performance.now();
    run.set(qid, search(q));
    times.push(performance.now() - t);
  }
  return { run, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizesArg = args[args.indexOf('--sizes') + 1];
  const sizes =
    args.includes('--sizes') && sizesArg
      ? sizesArg.split(',').map(Number)
      : quick
        ? [100_000]
        : [100_000, 1_000_000];
  const rows = args.includes('--no-relevance') ? [] : await relevance(quick);
  const scale: ScaleRow[] = [];
  const inProcessOnly = args.includes('--in-process-only');
  if (!args.includes('--no-scale'))
    for (const n of sizes) scale.push(...(await runScale(n, quick, log, inProcessOnly)));
  await printAndSave(rows, scale, { quick, sizes });
}

async function pgRelevance(
  hd: Awaited<ReturnType<typeof loadHomeDepot>>,
  queries: [string, string][],
): Promise<Row[]> {
  return withScratchSchema(async (db) => {
    const buildMs = await loadTitles(db, hd.products);
    const out: Row[] = [];
    for (const rank of ['ts_rank', 'ts_rank_cd'] as const) {
      const run = new Map<string, string[]>();
      const times: number[] = [];
      for (const [qid, q] of queries) {
        const t = performance.now();
        run.set(qid, await searchTitles(db, q, rank, 100));
        times.push(performance.now() - t);
      }
      out.push({
        system: `PostgreSQL FTS (GIN, OR of lexemes, ${rank}(tsv, q, 1))`,
        ...evaluateRun(run, hd.judgments),
        buildMs,
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
      });
    }
    return out;
  });
}

async function relevance(quick: boolean): Promise<Row[]> {
  const hd = await loadHomeDepot();
  const queries = quick ? hd.queries.slice(0, 1500) : hd.queries;
  const rows: Row[] = [];

  log('plain BM25 baseline');
  let h0 = heapMb();
  let t0 = performance.now();
  const bm25 = new PlainBm25();
  for (const [id, title] of hd.products) bm25.add(id, title);
  let buildMs = performance.now() - t0;
  let r = timedRun(queries, (q) => bm25.search(q, 100));
  rows.push({
    system: 'plain BM25 (titles, k1=1.2, b=0.75)',
    ...evaluateRun(r.run, hd.judgments),
    buildMs,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    heapMb: heapMb() - h0,
  });

  log('MiniSearch');
  h0 = heapMb();
  t0 = performance.now();
  const mini = new MiniSearch<{ id: string; title: string }>({
    fields: ['title'],
    searchOptions: { fuzzy: 0.2, prefix: true, combineWith: 'OR' },
  });
  mini.addAll(hd.products.map(([id, title]) => ({ id, title })));
  buildMs = performance.now() - t0;
  r = timedRun(queries, (q) =>
    mini
      .search(q)
      .slice(0, 100)
      .map((x) => String(x.id)),
  );
  rows.push({
    system: 'MiniSearch 7 (fuzzy 0.2, prefix, OR)',
    ...evaluateRun(r.run, hd.judgments),
    buildMs,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    heapMb: heapMb() - h0,
  });

  log('engine without ranker');
  h0 = heapMb();
  t0 = performance.now();
  const engine = await buildHomeDepotIndex(hd);
  buildMs = performance.now() - t0;
  const engineHeap = heapMb() - h0;
  r = timedRun(queries, (q) => engine.search(evalQuery(q, 100)).hits.map((x) => x.id));
  rows.push({
    system: 'engine, no ranker',
    ...evaluateRun(r.run, hd.judgments),
    buildMs,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    heapMb: engineHeap,
  });

  log('engine + committed ranker (latency; in-sample relevance)');
  engine.setRanker(await loadRanker(DEFAULT_RANKER_PATH.pathname));
  r = timedRun(queries, (q) => engine.search(evalQuery(q, 100)).hits.map((x) => x.id));
  const inSample = evaluateRun(r.run, hd.judgments);
  engine.setRanker(undefined);

  log('engine + ranker, nested 5-fold cross-validation');
  const training = collectTrainingQueries(engine, hd, log).filter((q) => queries.some(([id]) => id === q.id));
  const cv = crossValidate(training, 5, log);
  rows.push({
    system: 'engine + ranker (held-out folds)',
    ...evaluateRun(cv.heldOutRuns, new Map([...hd.judgments].filter(([q]) => cv.heldOutRuns.has(q)))),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    note: `nested 5-fold CV by query; per-fold NDCG@10 ${cv.folds.map((f) => f.heldOutNdcg.toFixed(3)).join(', ')}; latency with the committed model`,
  });
  rows.push({
    system: 'engine + committed ranker (in-sample, optimistic)',
    ...inSample,
    note: 'trained on these very queries: not a fair figure',
  });

  log('PostgreSQL full-text search');
  rows.splice(1, 0, ...(await pgRelevance(hd, queries)));
  rowsMeta.queries = queries.length;
  rowsMeta.products = hd.products.length;
  return rows;
}

const rowsMeta: Record<string, unknown> = {};

async function printAndSave(rows: Row[], scale: ScaleRow[], options: Record<string, unknown>): Promise<void> {
  const meta = { ...rowsMeta, ...options };
  const f = (x: number | undefined, d = 4) => (x === undefined ? '-' : x.toFixed(d));
  const header = '| system | NDCG@10 | MRR | Recall@100 | build ms | p50 ms | p99 ms | heap MB |';
  const lines = [header, '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.system} | ${f(r.ndcg10)} | ${f(r.mrr)} | ${f(r.recall100)} | ${f(r.buildMs, 0)} | ${f(r.p50Ms, 3)} | ${f(r.p99Ms, 3)} | ${f(r.heapMb, 0)} |`,
    );
  }
  const md = [
    `# search bench (Home Depot dev split, ${meta.queries} queries, ${meta.products} products)`,
    '',
    ...lines,
    '',
    ...rows.filter((r) => r.note).map((r) => `- ${r.system}: ${r.note}`),
    '- heap MB is the heap retained by the built index (forced GC before and after); latency is in-process, one query at a time, top 100.',
    '',
    ...scaleMarkdown(scale),
  ].join('\n');
  console.log(md);
  await writeFile(new URL('./results/search.md', import.meta.url), md);
  await writeFile(
    new URL('./results/search.json', import.meta.url),
    JSON.stringify(
      { meta: { ...meta, date: new Date().toISOString(), node: process.version }, rows, scale },
      null,
      2,
    ) + '\n',
  );
}
