/**
 * `npm run bench -- catalog [--n 1000000] [--pglite-n 100000] [--stock-n 5000] [--batch 1000] [--in-flight 3]
 *  [--seconds 5] [--rounds 2] [--skip-import] [--skip-http]`
 * 1. Import rate of the generated catalog (NDJSON, streamed) into the real PostgreSQL (DATABASE_URL, a
 *    scratch database created and dropped here) and into PGlite (on disk), with peak and sampled RSS; the
 *    baseline is a bare multi-row INSERT of the same lines as JSON documents into one table.
 * 2. Product detail through the gateway: cache hit, gateway miss + catalog cache hit, full miss (no
 *    caches), against a bare Fastify hello world in the same run (autocannon, separate processes).
 * 3. Cross-process staleness: two catalog instances on PostgreSQL + Redis + NATS; one writes, the other
 *    reads until fresh.
 */
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, openInfrastructure, type Infrastructure } from '@emporium/platform';
import { createInventoryService } from '@emporium/inventory';
import { createCatalogService } from '../services/catalog/src/service.ts';
import { importProducts } from '../services/catalog/src/importer.ts';
import { generateCatalog } from '../services/catalog/src/generator.ts';
import {
  load,
  machineInfo,
  median,
  startProcess,
  stopProcess,
  writeResults,
  type LoadResult,
} from './lib/autocannon.ts';
import { numberOption } from './lib/options.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function generate(n: number): Promise<string> {
  const path = join(tmpdir(), `catalog-bench-${n}.ndjson`);
  try {
    if (statSync(path).size > 0) return path;
  } catch {
    // not there yet
  }
  log(`generating ${n} products to ${path}`);
  const out = createWriteStream(path);
  let i = 0;
  for (const row of generateCatalog(n, 1)) {
    if (!out.write(JSON.stringify(row) + '\n')) await once(out, 'drain');
    if (++i % 100_000 === 0) log(`  ${i}`);
  }
  out.end();
  await once(out, 'finish');
  return path;
}

async function scratchDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

function rssSampler() {
  const samples: { atRow: number; rssMb: number }[] = [];
  let peak = process.memoryUsage().rss;
  let rows = 0;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    samples.push({ atRow: rows, rssMb: mb(rss) });
  }, 1000);
  return {
    setRows: (n: number) => (rows = n),
    stop() {
      clearInterval(timer);
      return { peakRssMb: mb(peak), samples };
    },
  };
}

interface ImportShape {
  batch: number;
  inFlight: number;
}

/** The file's first `limit` lines as raw chunks (the importer splits lines itself, once). */
async function* firstLines(file: string, limit: number): AsyncGenerator<Buffer> {
  let left = limit;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 18 }) as AsyncIterable<Buffer>) {
    let at = -1;
    while (left > 0 && (at = chunk.indexOf(10, at + 1)) !== -1) left--;
    if (left > 0) {
      yield chunk;
      continue;
    }
    if (at >= 0) yield chunk.subarray(0, at + 1);
    return;
  }
}

async function openFor(databaseUrl: string | undefined, dataDir: string): Promise<Infrastructure> {
  return openInfrastructure({
    databaseUrl,
    redisUrl: undefined,
    natsUrl: undefined,
    dataDir,
    logger: pino({ level: 'warn' }),
  });
}

async function importRun(
  label: string,
  databaseUrl: string | undefined,
  file: string,
  limit: number,
  forwardStock: boolean,
  shape: ImportShape,
) {
  const dataDir = join(tmpdir(), `catalog-bench-${label.replace(/\W+/g, '-')}-${Date.now()}`);
  const infra = await openFor(databaseUrl, dataDir);
  const config = { ...loadConfig({}), dataDir, seedDemoData: false };
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const { catalog } = await createCatalogService(
    { config, infra },
    { inventory: inventory.api, drawPlaceholders: false },
  );
  const { Readable } = await import('node:stream');
  const sampler = rssSampler();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let lastLog = 0;
  const report = await importProducts(catalog, {
    actor: { id: 'bench', role: 'admin' },
    format: 'ndjson',
    input: Readable.from(firstLines(file, limit)),
    batchSize: shape.batch,
    concurrency: shape.inFlight,
    forwardStock,
    // The generated file brings its own tree, as an operator's import does (ADR 0610).
    createCategories: true,
    onProgress: (r) => {
      sampler.setRows(r.rows);
      if (r.rows - lastLog >= 50_000) {
        lastLog = r.rows;
        log(
          `  ${label}: ${r.rows} rows, ${Math.round(r.rows / ((performance.now() - started) / 1000))} rows/s, rss ${mb(process.memoryUsage().rss)} MB`,
        );
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const memory = sampler.stop();
  const databaseCpuSeconds = databaseUrl ? await backendCpuSeconds(databaseUrl) : undefined;
  await infra.close();
  return {
    label,
    rows: report.rows,
    created: report.created,
    unchanged: report.unchanged,
    failed: report.failed,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(report.rows / seconds),
    nodeCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    databaseCpuSeconds,
    ...memory,
  };
}

/**
 * CPU seconds used so far by the server processes of the pool's connections (the server runs on this
 * machine): with 2 shared cores, CPU time says more about the write path than wall time, which follows
 * the machine's load. Read before the pool closes; undefined when /proc does not show the server.
 */
async function backendCpuSeconds(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  await client.end();
  try {
    let ticks = 0;
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return Math.round(ticks / 10) / 10;
  } catch {
    return undefined;
  }
}

/** The baseline: the same lines inserted as JSON documents, 1000 per multi-row INSERT, no logic. */
async function rawInsertRun(label: string, databaseUrl: string | undefined, file: string, limit: number) {
  const dataDir = join(tmpdir(), `catalog-bench-raw-${Date.now()}`);
  const infra = await openFor(databaseUrl, dataDir);
  await infra.db.migrate('rawbench', [
    { id: '0001', sql: 'create table docs (id bigint primary key, doc jsonb not null)' },
  ]);
  const db = infra.db.forSchema<{ docs: { id: number; doc: string } }>('rawbench');
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let n = 0;
  let batch: { id: number; doc: string }[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (n >= limit) break;
    batch.push({ id: n++, doc: line });
    if (batch.length === 1000) {
      await db.insertInto('docs').values(batch).execute();
      batch = [];
    }
  }
  if (batch.length) await db.insertInto('docs').values(batch).execute();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const databaseCpuSeconds = databaseUrl ? await backendCpuSeconds(databaseUrl) : undefined;
  await infra.close();
  return {
    label,
    rows: n,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(n / seconds),
    nodeCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    databaseCpuSeconds,
  };
}

async function uniqueLoad(url: string, seconds: number): Promise<LoadResult> {
  let n = 0;
  const base = new URL(url);
  const result = await autocannon({
    url: base.origin,
    connections: 32,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${base.pathname}?r=${n++}` }) }],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function httpRuns(seconds: number, rounds: number) {
  const server = fileURLToPath(new URL('./_catalog-server.ts', import.meta.url));
  const bare = await startProcess(server, ['bare']);
  const cached = await startProcess(server, ['catalog']);
  const uncached = await startProcess(server, ['catalog-nocache']);
  const firstId = async (base: string) =>
    ((await (await fetch(`${base}/api/v1/products?perPage=1`)).json()) as { items: { id: string }[] })
      .items[0]!.id;
  const idA = await firstId(cached.url);
  const idB = await firstId(uncached.url);
  const targets: Record<string, () => Promise<LoadResult>> = {
    'bare Fastify (baseline)': () => load(`${bare.url}/`, { seconds }),
    'detail, gateway cache hit': () => load(`${cached.url}/api/v1/products/${idA}`, { seconds }),
    'detail, gateway miss + catalog cache hit': () =>
      uniqueLoad(`${cached.url}/api/v1/products/${idA}`, seconds),
    'detail, miss (no caches: database + inventory)': () =>
      uniqueLoad(`${uncached.url}/api/v1/products/${idB}`, seconds),
  };
  const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  try {
    await load(`${cached.url}/api/v1/products/${idA}`, { seconds: 1 });
    for (let round = 0; round < rounds; round++)
      for (const [name, run] of Object.entries(targets)) {
        log(`round ${round + 1}/${rounds}: ${name}`);
        runs[name]!.push(await run());
      }
  } finally {
    for (const p of [bare, cached, uncached]) await stopProcess(p.child);
  }
  const baseline = median(runs['bare Fastify (baseline)']!.map((r) => r.requestsPerSecond));
  return Object.entries(runs).map(([name, results]) => {
    const rps = median(results.map((r) => r.requestsPerSecond));
    return {
      name,
      requestsPerSecond: Math.round(rps),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      ratioToBaseline: Number((rps / baseline).toFixed(3)),
      non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    };
  });
}

/** Two processes' worth of catalog on the real servers: how long after A's write does B serve it? */
async function staleness(databaseUrl: string, redisUrl: string, natsUrl: string, trials = 20) {
  const logger = pino({ level: 'warn' });
  const open = (dataDir: string) => openInfrastructure({ databaseUrl, redisUrl, natsUrl, dataDir, logger });
  const dataDir = join(tmpdir(), `catalog-bench-stale-${Date.now()}`);
  const [infraA, infraB] = [await open(dataDir), await open(dataDir)];
  const config = { ...loadConfig({}), dataDir, seedDemoData: false };
  const a = await createCatalogService({ config, infra: infraA }, { drawPlaceholders: false });
  const b = await createCatalogService({ config, infra: infraB }, { drawPlaceholders: false });
  await a.module.start?.();
  await b.module.start?.();
  const seller = { id: '01900000-0000-7000-a000-000000000001', role: 'seller' as const };
  await a.catalog.taxonomy.ensurePath('Bench');
  const { product } = await a.catalog.createProduct(seller, {
    title: 'Stale 0',
    category: 'Bench',
    variants: [{ sku: `STALE-${Date.now()}`, price: { amount: 100, currency: 'USD' } }],
  });
  const lags: number[] = [];
  for (let i = 1; i <= trials; i++) {
    await b.catalog.productDetail(product.id); // B has it cached
    const title = `Stale ${i}`;
    await a.catalog.updateProduct(seller, product.id, { title });
    const wrote = performance.now();
    while ((await b.catalog.productDetail(product.id)).title !== title) {
      if (performance.now() - wrote > 60_000) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    lags.push(performance.now() - wrote);
  }
  await a.module.stop?.();
  await b.module.stop?.();
  await infraA.close();
  await infraB.close();
  const sorted = [...lags].sort((x, y) => x - y);
  return {
    trials,
    medianMs: Number(median(lags).toFixed(2)),
    maxMs: Number(sorted.at(-1)!.toFixed(2)),
    cacheTtlSeconds: 300,
    note: 'shared Redis cache: the writer deletes the entry before its response returns; the event path (NATS) covers a reader that races the delete',
  };
}

export async function main(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 1_000_000);
  const pgliteN = numberOption(args, 'pglite-n', 100_000);
  const stockN = numberOption(args, 'stock-n', 5_000);
  const seconds = numberOption(args, 'seconds', 5);
  const rounds = numberOption(args, 'rounds', 2);
  const shape: ImportShape = {
    batch: numberOption(args, 'batch', 1000),
    inFlight: numberOption(args, 'in-flight', 3),
  };
  const serverUrl = process.env.DATABASE_URL;
  const result: Record<string, unknown> = { ...machineInfo(), n, pgliteN, stockN, ...shape };
  const loadAtStart = loadavg();
  const imports: Record<string, unknown>[] = [];

  if (!args.includes('--skip-import')) {
    const file = await generate(Math.max(n, pgliteN, stockN));
    if (serverUrl) {
      const scratch = await scratchDatabase(serverUrl, 'emporium_bench_catalog');
      try {
        imports.push(
          await rawInsertRun(
            'PostgreSQL: bare INSERT of the JSON lines (baseline)',
            scratch.url,
            file,
            Math.min(n, 200_000),
          ),
        );
        await scratch.drop();
        const fresh = await scratchDatabase(serverUrl, 'emporium_bench_catalog');
        imports.push(await importRun(`PostgreSQL: catalog import of ${n}`, fresh.url, file, n, false, shape));
        const again = Math.min(n, 100_000);
        imports.push(
          await importRun(
            `PostgreSQL: re-import of the first ${again} (unchanged)`,
            fresh.url,
            file,
            again,
            false,
            shape,
          ),
        );
        await fresh.drop();
        const stock = await scratchDatabase(serverUrl, 'emporium_bench_catalog');
        imports.push(
          await importRun(
            `PostgreSQL: import of ${stockN} with stock forwarded to inventory`,
            stock.url,
            file,
            stockN,
            true,
            shape,
          ),
        );
      } finally {
        await scratch.drop();
      }
    } else log('DATABASE_URL is not set: the PostgreSQL import runs are skipped');
    imports.push(
      await rawInsertRun(
        'PGlite: bare INSERT of the JSON lines (baseline)',
        undefined,
        file,
        Math.min(pgliteN, 100_000),
      ),
    );
    imports.push(
      await importRun(`PGlite: catalog import of ${pgliteN}`, undefined, file, pgliteN, false, shape),
    );
    for (const row of imports) log(JSON.stringify({ ...row, samples: undefined }));
  }
  result.imports = imports;
  const http = args.includes('--skip-http') ? [] : await httpRuns(seconds, rounds);
  if (http.length) console.table(http);
  result.http = http;
  const redis = process.env.REDIS_URL;
  const nats = process.env.NATS_URL;
  result.staleness = serverUrl && redis && nats ? await staleness(serverUrl, redis, nats) : undefined;
  if (result.staleness) log(`staleness: ${JSON.stringify(result.staleness)}`);
  console.table(imports.map(({ samples: _s, ...rest }) => rest));
  result.loadAverage = {
    atStart: loadAtStart.map((l) => Number(l.toFixed(2))),
    atEnd: loadavg().map((l) => Number(l.toFixed(2))),
  };
  writeResults('catalog', result, markdownOf(result, imports, http, seconds, rounds));
}

function markdownOf(
  result: Record<string, unknown>,
  imports: Record<string, unknown>[],
  http: Record<string, unknown>[],
  seconds: number,
  rounds: number,
): string {
  const importTable = [
    '| run | rows | seconds | rows/s | peak RSS MB | CPU s: bench process | CPU s: PostgreSQL backends |',
    '|---|---|---|---|---|---|---|',
    ...imports.map(
      (r) =>
        `| ${r.label} | ${r.rows} | ${r.seconds} | ${r.rowsPerSecond} | ${r.peakRssMb ?? ''} | ${r.nodeCpuSeconds ?? ''} | ${r.databaseCpuSeconds ?? ''} |`,
    ),
  ].join('\n');
  const httpTable = [
    '| target | req/s (median) | p50 ms | p99 ms | ratio to baseline |',
    '|---|---|---|---|---|',
    ...http.map(
      (r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.ratioToBaseline} |`,
    ),
  ].join('\n');
  const stale = result.staleness as { medianMs: number; maxMs: number; trials: number } | undefined;
  return `# Catalog benchmark

\`npm run bench -- catalog\` on ${result.cpus} cores (shared), node ${result.node}, ${result.date}.
Targets: 1M products into PostgreSQL in < 5 min with flat memory; cache-hit detail >= 0.4 of the baseline.

## Import (generated catalog, NDJSON streamed, batches of ${result.batch}, ${result.inFlight} in flight)

${importTable}

## Product detail through the gateway (autocannon, 32 connections, ${seconds} s x ${rounds} rounds)

${httpTable}

## Cross-process staleness (PostgreSQL + Redis + NATS)

${stale ? `${stale.trials} writes in instance A, reads in instance B until fresh: median ${stale.medianMs} ms, max ${stale.maxMs} ms.` : 'not measured (set DATABASE_URL, REDIS_URL, NATS_URL)'}

Notes: load average during the run ${JSON.stringify(result.loadAverage)} (the 2 cores are shared with other work).
Peak RSS is the bench process, which also holds PGlite's WASM heap on the PGlite run. The import runs
do not forward stock (one inventory call per SKU, no batch form in InventoryApi): the "with stock" row
measures that cost separately. CPU columns: the bench process (parsing, validation, the import pipeline,
and the in-process inventory's client side) and the PostgreSQL server processes serving its connections
(read from /proc, so only when the server runs on this machine); with the cores shared, they are the
load-independent cost, while seconds follow the machine's load.
`;
}
