/**
 * `npm run bench -- ledger [--quick] [--rounds=N]` on the real PostgreSQL (DATABASE_URL, default local):
 * checkouts/s end to end through the gateway (the checkout benchmark's run: 3-line carts of one seller,
 * sandbox payments) on two stores side by side, one with the ledger service and one without (its
 * baseline), in alternating rounds; and the ledger's postings/s under that load (a sale and a commission
 * per seller per order), with how long after the last checkout the ledger had caught up.
 * Each store has a database and a payment sandbox of its own. Target: with / without ≥ 0.8.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { newId } from '@emporium/platform';
import { freePort } from '@emporium/platform/testing';
import { newSandboxCredentials } from '@emporium/sandbox-payments';
import { median, percentile } from './lib/stats.ts';
import { stopProcess, waitFor } from './lib/processes.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const WITHOUT_LEDGER = {
  SERVICES: 'users,inventory,catalog,search,cart,payments,orders,recommendations,gateway',
  // A gateway must know where every service is; nothing listens there, and checkout never calls it.
  SERVICE_URL_LEDGER: 'http://127.0.0.1:9',
  SERVICE_KEY: randomBytes(32).toString('hex'),
};

interface Store {
  name: string;
  base: string;
  database: string;
  children: ChildProcess[];
  drop(): Promise<void>;
}

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

function spawnProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function startStore(name: string, services: Record<string, string>): Promise<Store> {
  const dbName = `bench_ledger_${name}_${newId().slice(0, 8)}`;
  await admin(`create database ${dbName}`);
  const database = Object.assign(new URL(SERVER), { pathname: `/${dbName}` }).toString();
  const { apiKey, webhookSecret } = newSandboxCredentials();
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const common = { ...process.env, LOG_LEVEL: 'warn' };
  const sandbox = spawnProcess(['sandboxes/payments/src/cli.ts'], {
    ...common,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-ledger-sandbox-')),
    PAYMENTS_SANDBOX_PORT: String(sandboxPort),
    PAYMENTS_SANDBOX_WEBHOOK_URL: `${base}/api/v1/webhooks/payments`,
    PAYMENTS_SANDBOX_API_KEY: apiKey,
    PAYMENTS_SANDBOX_WEBHOOK_SECRET: webhookSecret,
  });
  const server = spawnProcess(['apps/server/src/main.ts'], {
    ...common,
    DATABASE_URL: database,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    NATS_URL: '',
    DEPLOYMENT_NAME: dbName.replaceAll('_', '-'),
    ...services,
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '10000000',
    PAYMENTS_GATEWAY_URL: `http://127.0.0.1:${sandboxPort}`,
    PAYMENTS_GATEWAY_API_KEY: apiKey,
    PAYMENTS_WEBHOOK_SECRET: webhookSecret,
  });
  const children = [server, sandbox];
  try {
    await waitFor(`http://127.0.0.1:${sandboxPort}/healthz`);
    await waitFor(`${base}/readyz`);
  } catch (error) {
    await Promise.all(children.map(stopProcess));
    await admin(`drop database if exists ${dbName}`);
    throw error;
  }
  return {
    name,
    base: `${base}/api/v1`,
    database,
    children,
    async drop() {
      await Promise.all(children.map(stopProcess));
      for (let attempt = 0; attempt < 20; attempt++)
        if (
          await admin(`drop database if exists ${dbName}`).then(
            () => true,
            () => false,
          )
        )
          return;
    },
  };
}

async function call(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'idempotency-key': newId(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function register(base: string, role: 'customer' | 'seller'): Promise<string> {
  const r = await call(base, 'POST', '/auth/register', undefined, {
    email: `bench-ledger-${role}-${newId()}@example.com`,
    password: `Ledger bench ${newId()}`,
    name: `Bench ${role}`,
    role,
    ...(role === 'seller' ? { storeName: `Ledger bench ${newId().slice(-8)}` } : {}),
  });
  if (r.status !== 201) throw new Error(`register ${role}: ${r.status} ${JSON.stringify(r.json)}`);
  return String(r.json.accessToken);
}

async function workers(n: number, work: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (await work());
    }),
  );
  return performance.now() - start;
}

async function postingCount(store: Store): Promise<number> {
  const client = new pg.Client({ connectionString: store.database });
  await client.connect();
  try {
    return Number((await client.query('select count(*) as n from ledger.postings')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** The checkout benchmark's run: `count` 3-line carts of one seller's product, checked out at `concurrency`. */
async function checkoutRun(store: Store, customers: string[], concurrency: number, count: number) {
  const { base } = store;
  const seller = await register(base, 'seller');
  const tag = newId().slice(-12).toUpperCase();
  const skus = [0, 1, 2].map((i) => `BENCH-LG-${tag}-${i}`);
  const created = await call(base, 'POST', '/seller/products', seller, {
    title: `Ledger bench product ${tag}`,
    description: 'Created by bench/ledger.ts',
    brand: 'Bench',
    category: 'Electronics',
    status: 'active',
    variants: skus.map((sku, i) => ({ sku, price: { amount: 1000 + i, currency: 'EUR' }, stock: count })),
  });
  if (created.status !== 201) throw new Error(`product: ${created.status} ${JSON.stringify(created.json)}`);
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
  const ledger = store.name === 'with';
  const before = ledger ? await postingCount(store) : 0;
  const latencies: number[] = [];
  let next = 0;
  let paid = 0;
  const address = { name: 'B', line1: 'x', city: 'y', postalCode: '1', country: 'DE' };
  const ms = await workers(concurrency, async () => {
    const i = next++;
    if (i >= count) return false;
    const t0 = performance.now();
    const r = await call(base, 'POST', '/orders', customers[i], {
      shippingAddress: address,
      paymentToken: 'tok_visa',
    });
    latencies.push(performance.now() - t0);
    if (r.status === 201) paid++;
    return true;
  });
  const result = {
    store: store.name,
    concurrency,
    checkouts: count,
    paid,
    perSecond: (paid / ms) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
  if (!ledger) return { ...result, postings: 0, postingsPerSecond: 0, catchUpMs: 0 };
  // A sale and a commission per paid order (one seller): wait until the ledger has them all.
  const expected = before + 2 * paid;
  const end = performance.now();
  let now = await postingCount(store);
  const duringRun = now - before;
  while (now < expected && performance.now() - end < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    now = await postingCount(store);
  }
  const catchUpMs = performance.now() - end;
  if (now < expected) throw new Error(`the ledger posted ${now - before} of ${2 * paid} postings`);
  return {
    ...result,
    postings: now - before,
    postingsPerSecond: ((now - before) / (ms + catchUpMs)) * 1000,
    postedDuringRun: duringRun,
    catchUpMs,
  };
}

export async function main(args: string[]) {
  const quick = args.includes('--quick');
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 3));
  const [concurrency, count] = quick ? [16, 80] : [16, 160];
  const loadBefore = loadavg()[0]!;
  const stores = [await startStore('with', { SERVICES: 'all' })];
  const rows: Awaited<ReturnType<typeof checkoutRun>>[] = [];
  try {
    stores.push(await startStore('without', WITHOUT_LEDGER));
    const customers = new Map<string, string[]>();
    for (const store of stores) {
      const tokens: string[] = [];
      await workers(8, async () => {
        if (tokens.length >= count * rounds) return false;
        tokens.push('');
        const slot = tokens.length - 1;
        tokens[slot] = await register(store.base, 'customer');
        return true;
      });
      customers.set(store.name, tokens);
      log(`  ${store.name}: ${tokens.length} customers registered`);
    }
    for (let round = 0; round < rounds; round++)
      for (const store of round % 2 ? [...stores].reverse() : stores) {
        const mine = customers.get(store.name)!.slice(round * count, (round + 1) * count);
        const r = await checkoutRun(store, mine, concurrency, count);
        log(
          `  round ${round + 1}, ${store.name} ledger: ${r.perSecond.toFixed(1)} checkouts/s, ${r.postingsPerSecond.toFixed(1)} postings/s`,
        );
        rows.push(r);
      }
  } finally {
    for (const store of stores) await store.drop();
  }
  const of = (name: string) => rows.filter((r) => r.store === name);
  const withLedger = median(of('with').map((r) => r.perSecond));
  const without = median(of('without').map((r) => r.perSecond));
  const result = {
    date: new Date().toISOString(),
    database: 'PostgreSQL',
    quick,
    rounds,
    concurrency,
    checkoutsPerRun: count,
    loadAverage: { before: +loadBefore.toFixed(1), after: +loadavg()[0]!.toFixed(1) },
    checkoutsPerSecond: {
      withLedger: +withLedger.toFixed(1),
      withoutLedger: +without.toFixed(1),
      ratio: +(withLedger / without).toFixed(2),
    },
    postingsPerSecond: +median(of('with').map((r) => r.postingsPerSecond)).toFixed(1),
    catchUpMs: Math.round(median(of('with').map((r) => r.catchUpMs))),
    runs: rows.map((r) => ({
      ...r,
      perSecond: +r.perSecond.toFixed(1),
      postingsPerSecond: +r.postingsPerSecond.toFixed(1),
      p50Ms: Math.round(r.p50Ms),
      p99Ms: Math.round(r.p99Ms),
      catchUpMs: Math.round(r.catchUpMs),
    })),
  };
  console.table(result.runs);
  await writeFile(new URL('./results/ledger.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  const md = [
    `# ledger benchmark (${result.date.slice(0, 10)}, PostgreSQL, 2 shared cores${quick ? ', quick' : ''})`,
    '',
    "Checkout end to end through the gateway (the checkout benchmark's run: a 3-line cart of one seller's",
    `product, \`tok_visa\`, ${concurrency} concurrent customers, ${count} checkouts per run) on two stores side by`,
    'side, each one server process (SERVICES) with its own database and payment sandbox: one with the',
    "ledger, one without it. Alternating rounds; medians. Postings/s: the ledger's sale and commission",
    'postings over the run and its catch-up (how long after the last checkout the last posting committed).',
    `Load average ${result.loadAverage.before} before, ${result.loadAverage.after} after.`,
    '',
    '| | checkouts/s with ledger | checkouts/s without | ratio (target ≥ 0.8) | ledger postings/s | catch-up ms |',
    '|---|---:|---:|---:|---:|---:|',
    `| median of ${rounds} | ${result.checkoutsPerSecond.withLedger} | ${result.checkoutsPerSecond.withoutLedger} | ${result.checkoutsPerSecond.ratio} | ${result.postingsPerSecond} | ${result.catchUpMs} |`,
    '',
    '| store | round checkouts/s | paid | p50 ms | p99 ms | postings | postings/s | catch-up ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...result.runs.map(
      (r) =>
        `| ${r.store} ledger | ${r.perSecond} | ${r.paid} | ${r.p50Ms} | ${r.p99Ms} | ${r.postings} | ${r.postingsPerSecond} | ${r.catchUpMs} |`,
    ),
    '',
  ].join('\n');
  await writeFile(new URL('./results/ledger.md', import.meta.url), md);
}
