/**
 * `npm run bench -- checkout [--quick]` on the real PostgreSQL (DATABASE_URL, default local):
 *  1. hot-SKU reservations/s at 256 concurrent buyers: the baseline (a plain loop of single-row
 *     `UPDATE ... SET available = available - 1 WHERE available > 0`), InventoryApi.reserve one statement
 *     per request ('single'), and the default group-committed reserve ('batched'). Same pool size.
 *  2. checkouts/s and p50/p99 end to end over HTTP (cart of 3 lines, sandbox payment) at 16 and 256
 *     concurrent customers, one checkout-node process.
 * Every run checks that nothing is oversold.
 */
import { writeFile } from 'node:fs/promises';
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
import { createInventoryService } from '../services/inventory/src/index.ts';
import { createPaymentSandbox } from '../sandboxes/payments/src/index.ts';
import { startCheckoutCluster } from '../services/orders/scripts/cluster.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const DB = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = 20;
const BUYERS = 256;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

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
  const ms = await workers(BUYERS, async () => {
    try {
      await api.reserve({ reservationId: newId(), lines: [{ sku, quantity: 1 }] });
      sold++;
      return true;
    } catch {
      return false;
    }
  });
  const [level] = await api.getStock([sku]);
  await infra.close();
  return {
    name: `InventoryApi.reserve (${strategy})`,
    sold,
    perSecond: (sold / ms) * 1000,
    oversold: (level?.reserved ?? 0) - units + ((level?.available ?? 0) < 0 ? 1 : 0),
  };
}

async function checkoutRun(concurrency: number, count: number) {
  const sandbox = createPaymentSandbox({ logger: false });
  const gatewayUrl = await sandbox.listen(0);
  const seller = newId();
  const skus = [0, 1, 2].map((i) => `BENCH-CO-${i}-${newId()}`);
  const variants = skus.map((sku, i) => ({
    sku,
    productId: newId(),
    sellerId: seller,
    title: sku,
    price: { amount: 1000 + i, currency: 'EUR' },
    status: 'active' as const,
  }));
  const cluster = await startCheckoutCluster({ processes: 1, databaseUrl: DB, gatewayUrl, variants });
  const base = `${cluster.urls[0]}/api/v1`;
  const stockBefore = count * 2;
  const sellerToken = await cluster.tokenFor({ id: seller, role: 'seller' });
  await fetch(`${cluster.urls[0]}/internal/inventory/skus`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: skus.map((sku) => ({ sku, sellerId: seller })) }),
  });
  for (const sku of skus)
    await fetch(`${base}/seller/inventory/${sku}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sellerToken}` },
      body: JSON.stringify({ onHand: stockBefore }),
    });
  const tokens = await Promise.all(
    Array.from({ length: count }, () => cluster.tokenFor({ id: newId(), role: 'customer' })),
  );
  let filled = 0;
  await workers(32, async () => {
    const i = filled++;
    if (i >= count) return false;
    for (const sku of skus)
      await fetch(`${base}/cart/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
        body: JSON.stringify({ sku, quantity: 1 }),
      });
    return true;
  });
  log(`  carts filled (${count}); checking out at ${concurrency}`);
  const latencies: number[] = [];
  let next = 0;
  let paid = 0;
  const ms = await workers(concurrency, async () => {
    const i = next++;
    if (i >= count) return false;
    const t0 = performance.now();
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[i]}`,
        'idempotency-key': newId(),
      },
      body: JSON.stringify({
        shippingAddress: { name: 'B', line1: 'x', city: 'y', postalCode: '1', country: 'DE' },
        paymentToken: 'tok_visa',
      }),
    });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (res.status === 201) paid++;
    return true;
  });
  const levels = (await (
    await fetch(`${base}/seller/inventory?skus=${skus.join(',')}`, {
      headers: { authorization: `Bearer ${sellerToken}` },
    })
  ).json()) as { items: { onHand: number; reserved: number }[] };
  const oversold = levels.items.filter((l) => l.onHand !== stockBefore - paid || l.reserved !== 0).length;
  await cluster.stop();
  await sandbox.close();
  return {
    name: `checkout end to end, ${concurrency} customers`,
    concurrency,
    checkouts: count,
    paid,
    perSecond: (paid / ms) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    oversold,
  };
}

export async function main(args: string[]) {
  const quick = args.includes('--quick');
  const units = quick ? 3_000 : 10_000;
  log(`hot SKU: ${units} units, ${BUYERS} concurrent buyers, pool ${POOL}`);
  const hot = [];
  for (const run of [
    () => baseline(units),
    () => reserveRun(units, 'single'),
    () => reserveRun(units, 'batched'),
  ]) {
    const r = await run();
    log(`  ${r.name}: ${r.perSecond.toFixed(0)}/s`);
    hot.push(r);
  }
  const checkouts = [];
  for (const [c, n] of quick
    ? [
        [16, 200],
        [256, 400],
      ]
    : [
        [16, 600],
        [256, 1200],
      ]) {
    const r = await checkoutRun(c as number, n as number);
    log(`  ${r.name}: ${r.perSecond.toFixed(1)}/s p50 ${r.p50Ms.toFixed(0)} ms p99 ${r.p99Ms.toFixed(0)} ms`);
    checkouts.push(r);
  }
  const base = hot[0]!.perSecond;
  const hotRows = hot.map((r) => ({
    ...r,
    perSecond: Math.round(r.perSecond),
    vsBaseline: +(r.perSecond / base).toFixed(2),
  }));
  const c16 = checkouts[0]!.perSecond;
  const coRows = checkouts.map((r) => ({
    ...r,
    perSecond: +r.perSecond.toFixed(1),
    p50Ms: Math.round(r.p50Ms),
    p99Ms: Math.round(r.p99Ms),
    vs16: +(r.perSecond / c16).toFixed(2),
  }));
  console.table(hotRows);
  console.table(coRows);
  const result = {
    date: new Date().toISOString(),
    database: 'PostgreSQL',
    pool: POOL,
    buyers: BUYERS,
    units,
    quick,
    hotSku: hotRows,
    checkout: coRows,
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
    'Checkout end to end over HTTP (3-line cart, sandbox payment, one server process):',
    '',
    '| customers | checkouts | paid | checkouts/s | p50 ms | p99 ms | × 16 | oversold SKUs |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...coRows.map(
      (r) =>
        `| ${r.concurrency} | ${r.checkouts} | ${r.paid} | ${r.perSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.vs16} | ${r.oversold} |`,
    ),
    '',
  ].join('\n');
  await writeFile(new URL('./results/checkout.md', import.meta.url), md);
}
