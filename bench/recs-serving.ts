/**
 * Serving latency of GET /api/v1/recommendations through HTTP with a trained model on a realistic catalog.
 *
 * npm run bench -- recs-serving [--products 12101] [--seconds 8] [--connections 1,4] [--data FILE]
 *                               [--cpu-prof DIR]
 *
 * The server runs in its own process (`--serve`, this file): the real inventory and catalog services with
 * `--products` generated products (stock forwarded) on embedded infrastructure (PGlite, memory cache,
 * in-process bus), the Amazon Beauty interaction log mapped onto them (item i -> product i) as views plus one
 * purchase per user, and the recommendations service trained from that log in its worker. The load client
 * (autocannon) runs in the bench process and measures each placement next to two baselines from the same
 * server in the same run: a bare JSON route and the cold-start path (trending) that uses no model.
 * `--cpu-prof DIR` writes a V8 CPU profile of the server process while it serves the load to DIR.
 */
import type { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig, openInfrastructure, type HttpServer } from '@emporium/platform';
import { createHttpServer, createMetricsRegistry, mountService, registerAuthHook } from '@emporium/platform';
import { testTokens } from '@emporium/platform/testing';
import { createInventoryService } from '@emporium/inventory';
import { createCatalogService } from '../services/catalog/src/service.ts';
import { importProducts } from '../services/catalog/src/importer.ts';
import { generateCatalog } from '../services/catalog/src/generator.ts';
import { createRecommendationsService } from '../services/recommendations/src/index.ts';
import { readSequencesFile } from '../services/recommendations/src/model/interactions.ts';
import { RecsStore, type InteractionRow } from '../services/recommendations/src/service/store.ts';
import autocannon from 'autocannon';
import { machineInfo, startProcess, stopProcess, writeResults } from './lib/autocannon.ts';
import { option } from './lib/options.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const sharedData = () => process.env.EMPORIUM_SHARED_DATA ?? resolve(process.cwd(), '../shared/data');

interface Scenario {
  name: string;
  /** Builds the n-th request: path and headers. */
  request: (n: number) => { path: string; headers?: Record<string, string> };
}

interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  empty: number;
  strategies: Record<string, number>;
}

async function buildStore(products: number) {
  const dataDir = join(tmpdir(), `recs-serving-${Date.now()}`);
  const infra = await openInfrastructure({
    databaseUrl: undefined,
    redisUrl: undefined,
    natsUrl: undefined,
    dataDir,
    inMemoryDatabase: true,
    logger: pino({ level: 'warn' }),
  });
  const config = { ...loadConfig({}), dataDir, seedDemoData: false };
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const catalog = await createCatalogService(
    { config, infra },
    { inventory: inventory.api, drawPlaceholders: false },
  );
  const started = performance.now();
  const rows = Readable.from(
    (function* () {
      for (const row of generateCatalog(products, 7)) yield JSON.stringify(row) + '\n';
    })(),
  );
  const report = await importProducts(catalog.catalog, {
    actor: { id: 'bench', role: 'admin' },
    format: 'ndjson',
    input: rows,
    batchSize: 500,
    forwardStock: true,
    createCategories: true,
    onProgress: (r) => r.rows % 5_000 === 0 && log(`  imported ${r.rows} products`),
  });
  log(`catalog: ${report.created} products in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { infra, config, inventory, catalog };
}

async function seedInteractions(store: RecsStore, productIds: string[], file: string) {
  const data = readSequencesFile(file);
  const rows: InteractionRow[] = [];
  const users: string[] = [];
  for (let u = 0; u < data.userIds.length; u++) {
    const userId = `u${data.userIds[u]}`;
    users.push(userId);
    const seq = data.items.subarray(data.offsets[u]!, data.offsets[u + 1]!);
    seq.forEach((item) =>
      rows.push({ userId, kind: 'view', productId: productIds[item % productIds.length]! }),
    );
    rows.push({ userId, kind: 'purchase', productId: productIds[seq[0]! % productIds.length]! });
  }
  for (let i = 0; i < rows.length; i += 5_000) {
    await store.insert(rows.slice(i, i + 5_000));
    if (i % 50_000 === 0) log(`  interactions ${i}/${rows.length}`);
  }
  return { users, interactions: rows.length, items: data.itemIds.length };
}

/** Profiles serving only (after set-up and training); the returned function stops and gives the profile. */
async function startProfiler(): Promise<() => Promise<object>> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<object>((ok, fail) =>
      session.post(method, (err, result) =>
        err ? fail(err) : ok((result as { profile?: object }).profile ?? {}),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return () => post('Profiler.stop');
}

interface Setup {
  products: number;
  seeded: { users: number; interactions: number; items: number };
  model: unknown;
  trainSeconds: number;
  auth: Record<string, string>[];
  coldAuth: Record<string, string>[];
  popular: string[];
}

/** The server process: builds the store, trains, serves, and hands the client what it needs on /bench-setup. */
async function serve(args: string[]): Promise<void> {
  const products = Number(option(args, 'products', '12101'));
  const file = option(args, 'data', join(sharedData(), 'amazon-2014', 'Beauty.txt'));
  const { infra, config, inventory, catalog } = await buildStore(products);
  const recs = await createRecommendationsService(
    { config, infra },
    {
      catalog: catalog.api,
      inventory: inventory.api,
      options: { trainAtStart: false, trainIntervalMs: 0, sweepIntervalMs: 0 },
    },
  );
  const store = new RecsStore(infra.db.forSchema('recs'));
  const productIds: string[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await catalog.api.listAllProducts(cursor, 1_000);
    productIds.push(...page.items.map((p) => p.id));
    cursor = page.nextCursor;
  }
  const seeded = await seedInteractions(store, productIds, file);
  log(`seeded ${seeded.interactions} interactions of ${seeded.users.length} users`);
  await recs.module.start?.();
  const trainStart = performance.now();
  const model = await recs.api.train();
  const trainSeconds = (performance.now() - trainStart) / 1000;
  log(`trained ${model?.version} (${model?.items} items) in ${trainSeconds.toFixed(1)} s`);

  const tokens = await testTokens();
  const app: HttpServer = createHttpServer({
    name: 'bench',
    logLevel: 'silent',
    metrics: createMetricsRegistry(),
  });
  registerAuthHook(app, tokens.verifier);
  app.get('/hello', async () => ({ hello: 'world' }));
  const sample = seeded.users.filter((_, i) => i % Math.ceil(seeded.users.length / 200) === 0);
  const setup: Setup = {
    products: productIds.length,
    seeded: { users: seeded.users.length, interactions: seeded.interactions, items: seeded.items },
    model: model ?? null,
    trainSeconds,
    auth: await Promise.all(
      sample.map(async (id) => ({
        authorization: `Bearer ${await tokens.tokenFor({ id, role: 'customer' })}`,
      })),
    ),
    popular: productIds.slice(0, 2_000),
    // every other user, each asked once: what a request costs when the caller's context is not cached
    coldAuth: await Promise.all(
      seeded.users
        .filter((_, i) => i % Math.ceil(seeded.users.length / 200) !== 0)
        .map(async (id) => ({ authorization: `Bearer ${await tokens.tokenFor({ id, role: 'customer' })}` })),
    ),
  };
  app.get('/bench-setup', async () => setup);
  await mountService(app, recs.module);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const profile = process.env.RECS_SERVING_CPU_PROF;
  const profiler = profile ? await startProfiler() : undefined;
  process.once('SIGTERM', () => {
    void (async () => {
      if (profiler && profile) writeFileSync(profile, JSON.stringify(await profiler()));
      await app.close();
      await recs.module.stop?.();
      await infra.close();
      process.exit(0);
    })();
  });
  console.log(`LISTENING ${base}`);
}

async function measure(base: string, s: Scenario, seconds: number, connections: number): Promise<Measured> {
  const latencies: number[] = [];
  const strategies: Record<string, number> = {};
  let errors = 0;
  let empty = 0;
  let n = 0;
  const instance = autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const { path, headers } = s.request(n++);
          return { ...req, path, headers: { ...req.headers, ...headers } };
        },
        onResponse: (status, body) => {
          if (status >= 400) errors++;
          const parsed = JSON.parse(body) as { items?: unknown[]; strategy?: string };
          if (parsed.strategy) {
            strategies[parsed.strategy] = (strategies[parsed.strategy] ?? 0) + 1;
            if (parsed.items?.length === 0) empty++;
          }
        },
      },
    ],
  });
  // autocannon's own histogram has 1 ms resolution; its response event carries the exact time
  (instance as unknown as EventEmitter).on(
    'response',
    (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms),
  );
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    name: s.name,
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50Ms: +pct(0.5).toFixed(2),
    p99Ms: +pct(0.99).toFixed(2),
    errors: errors + result.errors + result.timeouts,
    empty,
    strategies,
  };
}

function scenarios(setup: Setup): Scenario[] {
  const { auth, coldAuth, popular } = setup;
  // shared by every run of the cold rows, so that no caller is asked twice (until the users run out)
  let cold = 0;
  const nextCold = () => coldAuth[cold++ % coldAuth.length];
  const rec = (q: string) => `/api/v1/recommendations?${q}`;
  return [
    { name: 'baseline: bare JSON route', request: () => ({ path: '/hello' }) },
    {
      name: 'baseline: cold start (trending, no model)',
      request: () => ({ path: rec('placement=home&limit=10') }),
    },
    {
      name: 'home (personalised)',
      request: (n) => ({ path: rec('placement=home&limit=10'), headers: auth[n % auth.length] }),
    },
    {
      name: 'product (viewed together)',
      request: (n) => ({
        path: rec(`placement=product&productId=${popular[(n * 7919) % popular.length]}&limit=10`),
        headers: auth[n % auth.length],
      }),
    },
    {
      name: 'cart (complete the order)',
      request: (n) => ({ path: rec('placement=cart&limit=10'), headers: auth[n % auth.length] }),
    },
    {
      name: 'home, caller not cached (new user each request)',
      request: () => ({ path: rec('placement=home&limit=10'), headers: nextCold() }),
    },
    {
      name: 'product, caller not cached (new user each request)',
      request: (n) => ({
        path: rec(`placement=product&productId=${popular[(n * 7919) % popular.length]}&limit=10`),
        headers: nextCold(),
      }),
    },
  ];
}

export async function main(args: string[]): Promise<void> {
  const seconds = Number(option(args, 'seconds', '8'));
  const connectionList = option(args, 'connections', '1,4').split(',').map(Number);
  const profileDir = option(args, 'cpu-prof', '');
  const serverArgs = [
    '--serve',
    ...args.filter((a, i) => a !== '--cpu-prof' && args[i - 1] !== '--cpu-prof'),
  ];
  const env: Record<string, string> = profileDir
    ? { RECS_SERVING_CPU_PROF: resolve(profileDir, `recs-serving-${Date.now()}.cpuprofile`) }
    : {};
  const { url: base, child } = await startProcess(fileURLToPath(import.meta.url), serverArgs, env);
  const setup = (await (await fetch(`${base}/bench-setup`)).json()) as Setup;
  const model = setup.model as { kind?: string; items?: number } | null;
  const list = scenarios(setup);
  // warm up every path once (JIT, caches) before measuring
  for (const s of list) await measure(base, s, 1, 1);
  const results: (Measured & { connections: number })[] = [];
  for (const connections of connectionList) {
    for (const s of list) {
      const r = { ...(await measure(base, s, seconds, connections)), connections };
      log(
        `${r.name} x${connections}: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.rps} req/s, errors ${r.errors}`,
      );
      results.push(r);
    }
  }
  await stopProcess(child);

  const table = results.map(
    (r) =>
      `| ${r.name} | ${r.connections} | ${r.p50Ms} | ${r.p99Ms} | ${r.rps} | ${r.errors} | ${r.empty} | ${
        Object.entries(r.strategies)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '—'
      } |`,
  );
  const markdown = [
    `# recs-serving (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${setup.products} products (generated, real catalog + inventory services on PGlite), ${setup.seeded.interactions} interactions`,
    `(Amazon Beauty log mapped onto them), model ${model?.kind} over ${model?.items} items trained in ${setup.trainSeconds.toFixed(1)} s`,
    `(worker thread). Server in its own process, autocannon in the bench process, ${seconds} s per row,`,
    `2 cores shared with other work (load average ${loadavg()[0]!.toFixed(1)} at the end).`,
    '',
    '| scenario | clients | p50 ms | p99 ms | req/s | errors | empty lists | strategies |',
    '|---|---|---|---|---|---|---|---|',
    ...table,
  ].join('\n');
  console.log(markdown);
  writeResults(
    'recs-serving',
    {
      machine: machineInfo(),
      products: setup.products,
      seeded: setup.seeded,
      model,
      trainSeconds: setup.trainSeconds,
      connections: connectionList,
      seconds,
      results,
    },
    markdown,
  );
}

if (process.argv[2] === '--serve') await serve(process.argv.slice(3));
