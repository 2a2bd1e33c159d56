/**
 * `npm run bench -- checkout [--quick]` on the real PostgreSQL (DATABASE_URL, default local):
 *  1. hot-SKU reservations/s at 256 concurrent buyers: the baseline (a plain loop of single-row
 *     `UPDATE ... SET available = available - 1 WHERE available > 0`), InventoryApi.reserve one statement
 *     per request ('single'), and the default group-committed reserve ('batched'). Same pool size.
 *  2. checkouts/s and p50/p99 end to end over HTTP (cart of 3 lines, sandbox payment) at 16 and 256
 *     concurrent customers, one server process on a database of its own, and the CPU milliseconds the
 *     server and the payment sandbox spent per checkout.
 * After each run the benchmark waits until every accepted order is paid or failed and every outbox is
 * drained, then checks that nothing is oversold, no stock is off and no order is left unfinished; any of
 * these fails the run. `--compare-with=<results.json>` puts an earlier run's checkout table beside this one;
 * `--sandbox-cli=<path>` starts another build of the payment sandbox (an earlier commit's, to compare).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import {
  InProcessEventBus,
  MemoryCache,
  createMetricsRegistry,
  newId,
  openDatabase,
  type Infrastructure,
} from '@emporium/platform';
import { freePort } from '@emporium/platform/testing';
import { newSandboxCredentials } from '@emporium/sandbox-payments';
import { stopProcess, waitFor } from './lib/processes.ts';
import { createInventoryService } from '../services/inventory/src/index.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const DB = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = 20;
import { percentile } from './lib/stats.ts';

const BUYERS = 256;

async function workers(n: number, work: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (await work());
    }),
  );
  return performance.now() - start;
}

async function baseline(units: number) {
  const pool = new pg.Pool({ connectionString: DB, max: POOL });
  await pool.query('create schema if not exists bench_checkout');
  await pool.query(
    'create table if not exists bench_checkout.hot (id int primary key, available int not null check (available >= 0))',
  );
  await pool.query(
    'insert into bench_checkout.hot values (1, $1) on conflict (id) do update set available = $1',
    [units],
  );
  let sold = 0;
  const ms = await workers(BUYERS, async () => {
    const r = await pool.query(
      'update bench_checkout.hot set available = available - 1 where id = 1 and available > 0',
    );
    if (r.rowCount === 1) sold++;
    return r.rowCount === 1;
  });
  const left = (await pool.query('select available from bench_checkout.hot where id = 1')).rows[0]
    .available as number;
  await pool.end();
  return {
    name: 'baseline: plain conditional UPDATE',
    sold,
    perSecond: (sold / ms) * 1000,
    oversold: units - left - sold,
  };
}

async function reserveRun(units: number, strategy: 'single' | 'batched') {
  const db = await openDatabase({ databaseUrl: DB, dataDir: '', poolSize: POOL });
  const infra: Infrastructure = {
    db,
    cache: new MemoryCache(),
    redis: undefined,
    deploymentName: 'emporium',
    bus: new InProcessEventBus(),
    metrics: createMetricsRegistry(),
    logger: pino({ level: 'silent' }),
    close: () => db.close(),
  };
  const { api } = await createInventoryService(
    { config: {} as never, infra },
    { sweepIntervalMs: 0, reserveStrategy: strategy },
  );
  const sku = `BENCH-HOT-${newId()}`;
  const seller = newId();
  await api.registerSkus([{ sku, sellerId: seller }]);
  await api.setStock({ id: seller, role: 'seller' }, sku, units);
  let sold = 0;
  const reserved: string[] = [];
  const ms = await workers(BUYERS, async () => {
    try {
      const id = newId();
      await api.reserve({ reservationId: id, lines: [{ sku, quantity: 1 }] });
      reserved.push(id);
      sold++;
      return true;
    } catch {
      return false;
    }
  });
  const [level] = await api.getStock([sku]);
  // Leave no active reservation behind for the other suites' sweepers on this shared server.
  await Promise.all(reserved.map((id) => api.release(id, 'benchmark over')));
  await infra.close();
  return {
    name: `InventoryApi.reserve (${strategy})`,
    sold,
    perSecond: (sold / ms) * 1000,
    oversold: (level?.reserved ?? 0) - units + ((level?.available ?? 0) < 0 ? 1 : 0),
  };
}

interface Store {
  base: string;
  /** The server's own database, to read what the orders ended as and whether the outboxes drained. */
  db: pg.Pool;
  server: ChildProcess;
  sandbox: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The payment sandbox and a whole server (SERVICES=all, gateway in front), each its own process. The server
 * gets a database of its own: the outboxes it must drain and the orders it counts are then only its own.
 */
async function startStore(profile: boolean, sandboxCli: string): Promise<Store> {
  const { apiKey, webhookSecret } = newSandboxCredentials();
  const dbName = `bench_checkout_${newId()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;
  const admin = new pg.Client({ connectionString: DB });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(DB);
  url.pathname = `/${dbName}`;
  const storeDb = url.toString();
  const port = await freePort();
  const sandboxPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const common = { ...process.env, LOG_LEVEL: 'warn' };
  const profiling = (dir: string) =>
    profile ? ['--cpu-prof', `--cpu-prof-dir=/tmp/checkout-profile/${dir}`] : [];
  const sandbox = spawnProcess([...profiling('sandbox'), sandboxCli], {
    ...common,
    // A state file of this run's own: one left by an earlier run would make every save rewrite it.
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-sandbox-')),
    PAYMENTS_SANDBOX_PORT: String(sandboxPort),
    PAYMENTS_SANDBOX_WEBHOOK_URL: `${base}/api/v1/webhooks/payments`,
    PAYMENTS_SANDBOX_API_KEY: apiKey,
    PAYMENTS_SANDBOX_WEBHOOK_SECRET: webhookSecret,
  });
  const server = spawnProcess([...profiling('server'), 'apps/server/src/main.ts'], {
    ...common,
    DATABASE_URL: storeDb,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    NATS_URL: '',
    SERVICES: 'all',
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '10000000',
    PAYMENTS_GATEWAY_URL: `http://127.0.0.1:${sandboxPort}`,
    PAYMENTS_GATEWAY_API_KEY: apiKey,
    PAYMENTS_WEBHOOK_SECRET: webhookSecret,
  });
  await waitFor(`http://127.0.0.1:${sandboxPort}/healthz`);
  await waitFor(`${base}/readyz`);
  const db = new pg.Pool({ connectionString: storeDb, max: 2 });
  // The drop at the end terminates whatever is still connected; that is the end of the run, not an error.
  db.on('error', () => undefined);
  return {
    base: `${base}/api/v1`,
    db,
    server,
    sandbox,
    async stop() {
      await Promise.all([stopProcess(server), stopProcess(sandbox)]);
      await db.end();
      const cleanup = new pg.Client({ connectionString: DB });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${dbName} with (force)`);
      await cleanup.end();
    },
  };
}

function spawnProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, what /proc/<pid>/stat counts in on Linux

/** CPU milliseconds (user + system) a child process has used so far, as its process.cpuUsage() would say. */
function cpuMs(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

interface Settled {
  /** Orders by final status; `rejected` are refused checkouts (out of stock), not accepted orders. */
  byStatus: Record<string, number>;
  unfinished: number;
  undrainedOutbox: number;
  settleMs: number;
}

/**
 * Waits until every order holding the run's SKUs has finished its saga and every service's outbox is
 * published: an order answered 503 is still being driven, and its stock is reserved until it is paid or
 * failed. Gives up after `timeoutMs` and reports what was left.
 */
async function settle(db: pg.Pool, skus: string[], timeoutMs = 120_000): Promise<Settled> {
  const start = performance.now();
  for (;;) {
    const orders = await db.query<{ status: string; unfinished: boolean; n: string }>(
      `select o.status, o.saga_step <> 'done' as unfinished, count(*) as n from orders.orders o
        where o.id in (select order_id from orders.order_lines where sku = $1) group by 1, 2`,
      [skus[0]],
    );
    const schemas = await db.query<{ schema: string }>(
      `select table_schema as schema from information_schema.tables where table_name = 'outbox'`,
    );
    let undrainedOutbox = 0;
    for (const { schema } of schemas.rows) {
      const r = await db.query<{ n: string }>(
        `select count(*) as n from ${pg.escapeIdentifier(schema)}.outbox where published_at is null`,
      );
      undrainedOutbox += Number(r.rows[0]!.n);
    }
    const byStatus: Record<string, number> = {};
    let unfinished = 0;
    for (const row of orders.rows) {
      byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.n);
      if (row.unfinished) unfinished += Number(row.n);
    }
    const settleMs = performance.now() - start;
    if ((unfinished === 0 && undrainedOutbox === 0) || settleMs > timeoutMs)
      return { byStatus, unfinished, undrainedOutbox, settleMs };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<{ status: number; json: T }> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as T };
}

async function register(base: string, role: 'customer' | 'seller'): Promise<string> {
  const email = `bench-${role}-${newId()}@example.com`;
  const answer = await call<{ accessToken?: string }>(base, 'POST', '/auth/register', undefined, {
    email,
    password: `Checkout bench ${newId()}`,
    name: `Bench ${role}`,
    role,
    ...(role === 'seller' ? { storeName: `Bench store ${newId().slice(-8)}` } : {}),
  });
  if (answer.status !== 201 || !answer.json.accessToken)
    throw new Error(`register ${role}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.accessToken;
}

/** One seller's product with three variants, created through the catalog (which registers the SKUs). */
async function seedProduct(base: string, stock: number) {
  const seller = await register(base, 'seller');
  const tag = newId().slice(-12).toUpperCase();
  const skus = [0, 1, 2].map((i) => `BENCH-CO-${tag}-${i}`);
  const created = await call<{ id?: string }>(base, 'POST', '/seller/products', seller, {
    title: `Checkout bench product ${tag}`,
    description: 'Created by bench/checkout.ts',
    brand: 'Bench',
    category: 'Electronics',
    status: 'active',
    variants: skus.map((sku, i) => ({ sku, price: { amount: 1000 + i, currency: 'EUR' }, stock })),
  });
  if (created.status !== 201)
    throw new Error(`create product: ${created.status} ${JSON.stringify(created.json)}`);
  return { seller, skus };
}

async function checkoutRun(store: Store, customers: string[], concurrency: number, count: number) {
  const { base } = store;
  const { seller, skus } = await seedProduct(base, count);
  let filled = 0;
  await workers(32, async () => {
    const i = filled++;
    if (i >= count) return false;
    for (const sku of skus) {
      const r = await call(base, 'POST', '/cart/items', customers[i], { sku, quantity: 1 });
      if (r.status !== 200) throw new Error(`cart: ${r.status} ${JSON.stringify(r.json)}`);
    }
    return true;
  });
  log(`  ${count} carts of 3 lines filled; checking out at ${concurrency}`);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  let answeredPaid = 0;
  const cpuBefore = { server: cpuMs(store.server), sandbox: cpuMs(store.sandbox) };
  const address = { name: 'B', line1: 'x', city: 'y', postalCode: '1', country: 'DE' };
  const ms = await workers(concurrency, async () => {
    const i = next++;
    if (i >= count) return false;
    const t0 = performance.now();
    const r = await call(
      base,
      'POST',
      '/orders',
      customers[i],
      { shippingAddress: address, paymentToken: 'tok_visa' },
      {
        'idempotency-key': newId(),
      },
    );
    latencies.push(performance.now() - t0);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 201) answeredPaid++;
    return true;
  });
  const settled = await settle(store.db, skus);
  const cpu = {
    server: (cpuMs(store.server) - cpuBefore.server) / count,
    sandbox: (cpuMs(store.sandbox) - cpuBefore.sandbox) / count,
  };
  const paid = settled.byStatus['paid'] ?? 0;
  const failed = settled.byStatus['payment_failed'] ?? 0;
  const levels = await call<{ items: { sku: string; onHand: number; reserved: number }[] }>(
    base,
    'GET',
    `/seller/inventory?skus=${skus.join(',')}`,
    seller,
  );
  // Every SKU started with `count` units and every paid order took one of each (read once all settled).
  const mismatched = levels.json.items.filter((l) => l.onHand !== count - paid || l.reserved !== 0).length;
  const oversold = Math.max(0, paid - count) + levels.json.items.filter((l) => l.onHand < 0).length;
  return {
    name: `checkout through the gateway, ${concurrency} customers`,
    concurrency,
    checkouts: count,
    answeredPaid,
    paid,
    failed,
    unfinished: settled.unfinished,
    undrainedOutbox: settled.undrainedOutbox,
    settleMs: Math.round(settled.settleMs),
    statuses,
    orders: settled.byStatus,
    serverCpuMsPerCheckout: +cpu.server.toFixed(1),
    sandboxCpuMsPerCheckout: +cpu.sandbox.toFixed(1),
    perSecond: (answeredPaid / ms) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    oversold,
    mismatched,
  };
}

async function registerCustomers(base: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  await workers(8, async () => {
    if (tokens.length >= n) return false;
    tokens.push('');
    const slot = tokens.length - 1;
    tokens[slot] = await register(base, 'customer');
    if (slot % 100 === 0) log(`  customers registered: ${slot}/${n}`);
    return true;
  });
  return tokens;
}

export async function main(args: string[]) {
  const quick = args.includes('--quick');
  const units = quick ? 3_000 : 10_000;
  log(`hot SKU: ${units} units, ${BUYERS} concurrent buyers, pool ${POOL}`);
  const hot = [];
  const only = args.find((a) => a.startsWith('--only='))?.slice(7);
  for (const run of only === 'checkout'
    ? []
    : [() => baseline(units), () => reserveRun(units, 'single'), () => reserveRun(units, 'batched')]) {
    const r = await run();
    log(`  ${r.name}: ${r.perSecond.toFixed(0)}/s`);
    hot.push(r);
  }
  // --runs=1x30,16x160 (customers x checkouts) overrides the standard runs, for exploring.
  const custom = args.find((a) => a.startsWith('--runs='))?.slice(7);
  const runs = custom
    ? custom.split(',').map((r) => r.split('x').map(Number) as [number, number])
    : quick
      ? [
          [16, 160],
          [256, 512],
        ]
      : [
          [16, 480],
          [256, 1024],
        ];
  if (only === 'hot') return console.table(hot);
  // The machine is shared: the runs alternate for `rounds` rounds and the median round is reported.
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 3));
  const loadBefore = loadavg()[0]!;
  // --sandbox-cli=<path> runs another build of the payment sandbox (an earlier commit's, to compare).
  const sandboxCli =
    args.find((a) => a.startsWith('--sandbox-cli='))?.slice(14) ?? 'sandboxes/payments/src/cli.ts';
  const store = await startStore(args.includes('--profile'), sandboxCli);
  const checkouts: (Awaited<ReturnType<typeof checkoutRun>> & { round: number })[] = [];
  try {
    const customers = await registerCustomers(store.base, Math.max(...runs.map((r) => r[1]!)));
    for (let round = 1; round <= rounds; round++)
      for (const [c, n] of runs) {
        const r = await checkoutRun(store, customers, c!, n!);
        log(
          `  round ${round}, ${r.name}: ${r.perSecond.toFixed(1)}/s p50 ${r.p50Ms.toFixed(0)} ms p99 ${r.p99Ms.toFixed(0)} ms; ` +
            `CPU ms/checkout server ${r.serverCpuMsPerCheckout} sandbox ${r.sandboxCpuMsPerCheckout}; ` +
            `orders ${JSON.stringify(r.orders)} settled in ${r.settleMs} ms; stock mismatches ${r.mismatched}`,
        );
        checkouts.push({ ...r, round });
      }
  } finally {
    await store.stop();
  }
  if (only) {
    console.table(checkouts);
    assertSettled(checkouts);
    return; // a partial run is for profiling; only a full run writes the results
  }
  const base = hot[0]!.perSecond;
  const hotRows = hot.map((r) => ({
    ...r,
    perSecond: Math.round(r.perSecond),
    vsBaseline: +(r.perSecond / base).toFixed(2),
  }));
  const medianRound = (concurrency: number) => {
    const mine = checkouts.filter((r) => r.concurrency === concurrency);
    const sorted = [...mine].sort((a, b) => a.perSecond - b.perSecond);
    return {
      ...sorted[Math.floor((sorted.length - 1) / 2)]!,
      rounds: mine.map((r) => +r.perSecond.toFixed(1)),
    };
  };
  const medians = runs.map(([c]) => medianRound(c!));
  const c16 = medians[0]!.perSecond;
  const coRows = medians.map((r) => ({
    ...r,
    perSecond: +r.perSecond.toFixed(1),
    p50Ms: Math.round(r.p50Ms),
    p99Ms: Math.round(r.p99Ms),
    vs16: +(r.perSecond / c16).toFixed(2),
  }));
  console.table(hotRows);
  console.table(coRows);
  const command = `npm run bench -- checkout ${args.join(' ')}`.trim();
  const compareWith = args.find((a) => a.startsWith('--compare-with='))?.slice(15);
  const previous = compareWith
    ? (JSON.parse(await readFile(compareWith, 'utf8')) as {
        command?: string;
        date: string;
        commit?: string;
        loadAverage: { before: number; after: number };
        checkout: CheckoutRow[];
      })
    : undefined;
  const result = {
    date: new Date().toISOString(),
    command,
    commit: process.env.BENCH_COMMIT,
    database: 'PostgreSQL',
    pool: POOL,
    buyers: BUYERS,
    units,
    quick,
    loadAverage: { before: +loadBefore.toFixed(1), after: +loadavg()[0]!.toFixed(1) },
    hotSku: hotRows,
    checkout: coRows,
    ...(previous ? { previous } : {}),
    checkoutRounds: checkouts.map((r) => ({
      ...r,
      perSecond: +r.perSecond.toFixed(1),
      p50Ms: Math.round(r.p50Ms),
      p99Ms: Math.round(r.p99Ms),
    })),
  };
  await writeFile(
    new URL('./results/checkout.json', import.meta.url),
    JSON.stringify(result, null, 2) + '\n',
  );
  const md = [
    `# checkout benchmark (${result.date.slice(0, 10)}, PostgreSQL, 2 shared cores${quick ? ', quick' : ''})`,
    '',
    `Hot SKU, ${units} units, ${BUYERS} concurrent buyers, pool ${POOL}:`,
    '',
    '| strategy | reservations/s | × baseline | oversold |',
    '|---|---:|---:|---:|',
    ...hotRows.map((r) => `| ${r.name} | ${r.perSecond} | ${r.vsBaseline} | ${r.oversold} |`),
    '',
    'Checkout end to end through the gateway: one server process (`apps/server`, SERVICES=all, real',
    'catalog, users, Redis cache) and the payment sandbox (own process, signed webhooks back to the',
    'server); registered customers, a 3-line cart of one seller product, `tok_visa`. Median of',
    `${rounds} alternating rounds (per-round checkouts/s in the last column); machine load average`,
    `${result.loadAverage.before} before, ${result.loadAverage.after} after (2 cores shared with other jobs).`,
    '',
    'Checkouts/s counts the 201 answers in the timed loop. After the loop the run waits until every',
    'accepted order has finished its saga and every outbox is published ("settle"), then counts the',
    'orders by final status and checks the stock: each SKU must hold its units minus the paid orders,',
    "with nothing reserved. CPU ms per checkout is the process's user + system time from the first",
    'checkout to the end of the settle, divided by the checkouts sent.',
    '',
    ...checkoutTable(coRows),
    ...(previous
      ? [
          '',
          `Before (${previous.date.slice(0, 16)}, \`${previous.command ?? 'npm run bench -- checkout'}\`` +
            `${previous.commit ? ` at ${previous.commit}` : ''}, load average ${previous.loadAverage.before} before,` +
            ` ${previous.loadAverage.after} after):`,
          '',
          ...checkoutTable(previous.checkout),
        ]
      : []),
    '',
    `Command: \`${command}\`${result.commit ? ` at ${result.commit}` : ''}.`,
    '',
  ].join('\n');
  await writeFile(new URL('./results/checkout.md', import.meta.url), md);
  assertSettled(checkouts);
}

type CheckoutRow = Awaited<ReturnType<typeof checkoutRun>> & { vs16?: number; rounds?: number[] };

function checkoutTable(rows: CheckoutRow[]): string[] {
  const cell = (v: number | undefined) => (v === undefined ? '–' : String(v));
  return [
    '| customers | checkouts | 201 | paid | failed | unfinished | settle ms | checkouts/s | p50 ms | p99 ms | × 16 | server CPU ms/checkout | sandbox CPU ms/checkout | oversold units | stock mismatches | rounds /s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${r.checkouts} | ${cell(r.answeredPaid)} | ${r.paid} | ${cell(r.failed)} | ${cell(r.unfinished)} | ` +
        `${cell(r.settleMs)} | ${r.perSecond} | ${r.p50Ms} | ${r.p99Ms} | ${cell(r.vs16)} | ${cell(r.serverCpuMsPerCheckout)} | ` +
        `${cell(r.sandboxCpuMsPerCheckout)} | ${r.oversold} | ${r.mismatched} | ${r.rounds?.join(', ') ?? ''} |`,
    ),
  ];
}

/** Every accepted order must end paid or failed, with the stock to match; anything else fails the run. */
function assertSettled(rows: Awaited<ReturnType<typeof checkoutRun>>[]): void {
  const bad = rows.filter(
    (r) => r.unfinished > 0 || r.undrainedOutbox > 0 || r.mismatched > 0 || r.oversold > 0,
  );
  if (bad.length === 0) return;
  for (const r of bad)
    log(
      `  ${r.name}: ${r.unfinished} unfinished orders, ${r.undrainedOutbox} unpublished events, ` +
        `${r.mismatched} stock mismatches, ${r.oversold} oversold`,
    );
  throw new Error('checkout benchmark: the store did not settle consistently (see above)');
}
