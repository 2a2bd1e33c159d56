// Runs one catalog size of the scale part of bench/search.ts: the engine process, HTTP load, PostgreSQL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadCatalog, searchCatalog, withScratchSchema } from './search-pg.ts';
import { generatedDocuments, percentile, toParams, type MixQuery } from './search-mix.ts';

export interface ScaleRow {
  system: string;
  products: number;
  buildRate?: number;
  bytesPerProduct?: number;
  p50Ms?: number;
  p99Ms?: number;
  qps?: number;
  typeaheadP99Ms?: number;
  meanTotal?: number;
  note?: string;
}

interface EngineResult {
  buildRate: number;
  clusterMs: number;
  bytesPerProduct: number;
  bytesPerProductServing: number;
  p50Ms: number;
  p99Ms: number;
  qpsOneCore: number;
  typeaheadP50Ms: number;
  typeaheadP99Ms: number;
  meanTotal: number;
  loadAvg: number[];
  mix: MixQuery[];
}

const worker = fileURLToPath(new URL('../_search-scale.ts', import.meta.url));

function startWorker(n: number, queries: number) {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=16000', '--import', 'tsx', worker, String(n), String(queries)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return {
    child,
    ready: new Promise<{ result: EngineResult; url: string }>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const result = /^RESULT (.*)$/m.exec(buffer);
        const url = /^LISTENING (\S+)$/m.exec(buffer);
        if (result && url)
          resolve({ result: JSON.parse(result[1] as string) as EngineResult, url: url[1] as string });
      });
      child.on('exit', (code) => reject(new Error(`scale worker exited with ${code}`)));
    }),
  };
}

async function http(url: string, paths: string[], connections: number, seconds: number) {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] as string }) }],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    qps: result.requests.average,
    non2xx: result.non2xx,
  };
}

export async function runScale(
  n: number,
  quick: boolean,
  log: (s: string) => void,
  inProcessOnly = false,
): Promise<ScaleRow[]> {
  log(`scale: ${n.toLocaleString('en')} generated products`);
  const queries = quick ? 500 : n >= 1_000_000 ? 1000 : 2000;
  const w = startWorker(n, queries);
  const { result, url } = await w.ready;
  const inProcess = inProcessRow(n, result);
  if (inProcessOnly) {
    w.child.kill('SIGTERM');
    return [inProcess];
  }
  const paths = result.mix.map((m) => `/api/v1/search?${new URLSearchParams(toParams(m)).toString()}`);
  const seconds = quick ? 5 : 10;
  const serial = await http(url, paths, 1, seconds);
  const loaded = await http(url, paths, 16, seconds);
  w.child.kill('SIGTERM');
  const rows: ScaleRow[] = [
    inProcess,
    {
      system: 'engine through HTTP (search routes, 1 connection / 16 connections)',
      products: n,
      p50Ms: serial.p50,
      p99Ms: serial.p99,
      qps: loaded.qps,
      note: `latency serial; throughput with 16 connections, one server process + load generator on 2 cores; non-2xx ${serial.non2xx + loaded.non2xx}`,
    },
  ];
  log('  PostgreSQL FTS on the same products and queries');
  const pgQueries = result.mix.slice(0, quick ? 200 : 500);
  rows.push(
    await withScratchSchema(async (db) => {
      const loadMs = await loadCatalog(db, generatedDocuments(n), log);
      for (const m of pgQueries.slice(0, 20)) await searchCatalog(db, m);
      const times: number[] = [];
      let total = 0;
      for (const m of pgQueries) {
        const t = performance.now();
        total += await searchCatalog(db, m);
        times.push(performance.now() - t);
      }
      return {
        system: 'PostgreSQL FTS (GIN, OR of lexemes, ts_rank, same filters, page and facets)',
        products: n,
        buildRate: n / (loadMs / 1000),
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        qps: pgQueries.length / (times.reduce((a, b) => a + b, 0) / 1000),
        meanTotal: total / pgQueries.length,
        note: `${pgQueries.length} queries of the same mix, serial; build = insert + GIN`,
      };
    }),
  );
  return rows;
}

function inProcessRow(n: number, result: EngineResult): ScaleRow {
  return {
    system: 'engine in-process (parse, match, facets, ranker)',
    products: n,
    buildRate: result.buildRate,
    bytesPerProduct: result.bytesPerProduct,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    qps: result.qpsOneCore,
    typeaheadP99Ms: result.typeaheadP99Ms,
    meanTotal: result.meanTotal,
    note: `one core, ${result.mix.length} queries; build includes ${(result.clusterMs / 1000).toFixed(1)} s of clustering doc ids; type-ahead p50 ${result.typeaheadP50Ms.toFixed(2)} ms; ${result.bytesPerProductServing.toFixed(0)} B/product after the queries (caches built); load average ${result.loadAvg.map((x) => x.toFixed(1)).join(' ')}`,
  };
}

export function scaleMarkdown(rows: ScaleRow[]): string[] {
  if (rows.length === 0) return [];
  const f = (x: number | undefined, d = 2) => (x === undefined ? '-' : x.toFixed(d));
  return [
    '## Latency and scale (generated catalog, query mix: 1-4 words, 10% typos, 30% filters, facets always on)',
    '',
    '| products | system | build products/s | bytes/product | p50 ms | p99 ms | queries/s | type-ahead p99 ms | mean matches |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.products.toLocaleString('en')} | ${r.system} | ${f(r.buildRate, 0)} | ${f(r.bytesPerProduct, 0)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.qps, 0)} | ${f(r.typeaheadP99Ms)} | ${f(r.meanTotal, 0)} |`,
    ),
    '',
    ...rows.filter((r) => r.note).map((r) => `- ${r.products.toLocaleString('en')}, ${r.system}: ${r.note}`),
    '',
  ];
}
