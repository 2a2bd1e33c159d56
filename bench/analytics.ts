/**
 * `npm run bench -- analytics [--quick]` on the real PostgreSQL (DATABASE_URL, default local): one server
 * process (SERVICES=all) exporting to an HTTP sink and mailing through an SMTP server, both in this
 * process, and the payment sandbox. Measures, per phase:
 *  - baseline: behaviour events (product views, POST /events) on an idle store;
 *  - under load: the same event stream while customers check out at 16 concurrent;
 * the export rate (records/s reaching the sink), the export lag (sink receipt minus the event's
 * occurredAt, p50/p99) and, under load, the notification delivery lag (checkout answered to the order
 * confirmation received by the SMTP server). Target: export lag p99 <= 5 s under checkout load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { newId } from '@emporium/platform';
import { freePort } from '@emporium/platform/testing';
import { newSandboxCredentials } from '@emporium/sandbox-payments';
import { percentile } from './lib/stats.ts';
import { stopProcess, waitFor } from './lib/processes.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);
const SERVER_DB = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A database of this run's own: queues and sent-logs another store left on the shared server would
 * otherwise be exported and mailed again, and measured as lag.
 */
async function ownDatabase() {
  const name = `bench_analytics_${newId().replace(/-/g, '').slice(-12)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: SERVER_DB });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  const url = new URL(SERVER_DB);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

interface Sink {
  url: string;
  /** eventId -> lag in ms at first receipt; and every receipt time, for the rate. */
  lags: Map<string, number>;
  received: { type: string; at: number }[];
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const lags = new Map<string, number>();
  const received: { type: string; at: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      for (const line of Buffer.concat(chunks).toString('utf8').trim().split('\n')) {
        const r = JSON.parse(line) as { eventId: string; type: string; occurredAt: string };
        received.push({ type: r.type, at: now });
        if (!lags.has(r.eventId)) lags.set(r.eventId, now - Date.parse(r.occurredAt));
      }
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    lags,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Records when the confirmation for each recipient arrived. */
async function startSmtp() {
  const arrivals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo)
          if (!arrivals.has(r.address)) arrivals.set(r.address, Date.now());
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((r) => server.close(() => r())),
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

async function startStore(db: string, sinkUrl: string, smtpUrl: string) {
  const { apiKey, webhookSecret } = newSandboxCredentials();
  const port = await freePort();
  const sandboxPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const common = { ...process.env, LOG_LEVEL: 'warn' };
  const sandbox = spawnProcess(['sandboxes/payments/src/cli.ts'], {
    ...common,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-sandbox-')),
    PAYMENTS_SANDBOX_PORT: String(sandboxPort),
    PAYMENTS_SANDBOX_WEBHOOK_URL: `${base}/api/v1/webhooks/payments`,
    PAYMENTS_SANDBOX_API_KEY: apiKey,
    PAYMENTS_SANDBOX_WEBHOOK_SECRET: webhookSecret,
  });
  const server = spawnProcess(['apps/server/src/main.ts'], {
    ...common,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-analytics-')),
    DATABASE_URL: db,
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
    ANALYTICS_SINK_URL: sinkUrl,
    ANALYTICS_PSEUDONYM_KEY: `bench-${newId()}-${newId()}`,
    SMTP_URL: smtpUrl,
  });
  await waitFor(`http://127.0.0.1:${sandboxPort}/healthz`);
  await waitFor(`${base}/readyz`);
  return { base: `${base}/api/v1`, stop: () => Promise.all([stopProcess(server), stopProcess(sandbox)]) };
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  extra: Record<string, string> = {},
) {
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

async function register(base: string, role: 'customer' | 'seller') {
  const email = `bench-${role}-${newId()}@example.com`;
  const answer = await call<{ accessToken?: string }>(base, 'POST', '/auth/register', undefined, {
    email,
    password: `Analytics bench ${newId()}`,
    name: `Bench ${role}`,
    role,
    ...(role === 'seller' ? { storeName: `Bench store ${newId().slice(-8)}` } : {}),
  });
  if (answer.status !== 201 || !answer.json.accessToken)
    throw new Error(`register ${role}: ${answer.status}`);
  return { token: answer.json.accessToken, email };
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

/** Posts product views in batches of 10 at about `perSecond`, until `stop` says so. */
async function viewStream(base: string, productId: string, perSecond: number, stop: () => boolean) {
  let posted = 0;
  const started = Date.now();
  while (!stop()) {
    const r = await call(base, 'POST', '/events', undefined, {
      sessionId: `bench-${newId()}`,
      events: Array.from({ length: 10 }, () => ({ type: 'view', productId })),
    });
    if (r.status !== 202) throw new Error(`events: ${r.status}`);
    posted += 10;
    const due = started + (posted / perSecond) * 1000;
    await new Promise((res) => setTimeout(res, Math.max(0, due - Date.now())));
  }
  return posted;
}

const summary = (lags: number[], records: number, ms: number) => ({
  records,
  exportedPerSecond: +((records / ms) * 1000).toFixed(1),
  lagP50Ms: Math.round(percentile(lags, 50)),
  lagP99Ms: Math.round(percentile(lags, 99)),
  lagMaxMs: Math.round(Math.max(0, ...lags)),
});

export async function main(args: string[]) {
  const quick = args.includes('--quick');
  const checkouts = quick ? 120 : 320;
  const viewsPerSecond = 100;
  const loadBefore = loadavg()[0]!;
  const sink = await startSink();
  const smtp = await startSmtp();
  const database = await ownDatabase();
  const store = await startStore(database.url, sink.url, smtp.url);
  try {
    const seller = await register(store.base, 'seller');
    const tag = newId().slice(-12).toUpperCase();
    const skus = [0, 1, 2].map((i) => `BENCH-AN-${tag}-${i}`);
    const product = await call<{ id: string }>(store.base, 'POST', '/seller/products', seller.token, {
      title: `Analytics bench product ${tag}`,
      description: 'Created by bench/analytics.ts',
      brand: 'Bench',
      category: 'Electronics',
      status: 'active',
      variants: skus.map((sku, i) => ({
        sku,
        price: { amount: 1000 + i, currency: 'EUR' },
        stock: checkouts + 10,
      })),
    });
    if (product.status !== 201) throw new Error(`product: ${product.status}`);
    const productId = product.json.id;

    // Phase 1, baseline: the view stream alone.
    log('baseline: views only');
    const seenBefore = new Set(sink.lags.keys());
    const idleMs = quick ? 10_000 : 20_000;
    const t0 = Date.now();
    const idleDeadline = t0 + idleMs;
    await viewStream(store.base, productId, viewsPerSecond, () => Date.now() > idleDeadline);
    await new Promise((r) => setTimeout(r, 3_000));
    const idleLags = [...sink.lags].filter(([id]) => !seenBefore.has(id)).map(([, l]) => l);
    const baseline = {
      phase: 'baseline: views only',
      ...summary(idleLags, idleLags.length, Date.now() - t0),
    };
    log(`  ${JSON.stringify(baseline)}`);

    // Phase 2: the same stream while customers check out.
    log(`registering ${checkouts} customers`);
    const customers: { token: string; email: string }[] = [];
    let registering = 0;
    await workers(8, async () => {
      if (registering++ >= checkouts) return false;
      customers.push(await register(store.base, 'customer'));
      return true;
    });
    let filled = 0;
    await workers(16, async () => {
      const c = customers[filled++];
      if (!c) return false;
      for (const sku of skus) await call(store.base, 'POST', '/cart/items', c.token, { sku, quantity: 1 });
      return true;
    });
    log(`checking out ${checkouts} at 16 concurrent with ${viewsPerSecond} views/s`);
    const seenBeforeLoad = new Set(sink.lags.keys());
    const answeredAt = new Map<string, number>();
    let next = 0;
    let done = false;
    const t1 = Date.now();
    const stream = viewStream(store.base, productId, viewsPerSecond, () => done);
    const checkoutMs = await workers(16, async () => {
      const c = customers[next++];
      if (!c) return false;
      const r = await call(
        store.base,
        'POST',
        '/orders',
        c.token,
        {
          shippingAddress: { name: 'B', line1: 'x', city: 'y', postalCode: '1', country: 'DE' },
          paymentToken: 'tok_visa',
        },
        { 'idempotency-key': newId() },
      );
      if (r.status === 201) answeredAt.set(c.email, Date.now());
      return true;
    });
    done = true;
    await stream;
    // Give the last events and mails time to arrive before reading the figures.
    const settleUntil = Date.now() + 15_000;
    while (Date.now() < settleUntil && [...answeredAt.keys()].some((e) => !smtp.arrivals.has(e)))
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2_000));
    const loadLags = [...sink.lags].filter(([id]) => !seenBeforeLoad.has(id)).map(([, l]) => l);
    const underLoad = {
      phase: 'under checkout load',
      checkoutsPaid: answeredAt.size,
      checkoutsPerSecond: +((answeredAt.size / checkoutMs) * 1000).toFixed(1),
      ...summary(loadLags, loadLags.length, Date.now() - t1),
    };
    const mailLags = [...answeredAt].flatMap(([email, at]) =>
      smtp.arrivals.has(email) ? [Math.max(0, smtp.arrivals.get(email)! - at)] : [],
    );
    const notifications = {
      confirmationsExpected: answeredAt.size,
      confirmationsReceived: mailLags.length,
      lagP50Ms: Math.round(percentile(mailLags, 50)),
      lagP99Ms: Math.round(percentile(mailLags, 99)),
    };
    const byType: Record<string, number> = {};
    for (const r of sink.received) byType[r.type] = (byType[r.type] ?? 0) + 1;
    console.table([baseline, underLoad]);
    console.table([notifications]);
    const result = {
      date: new Date().toISOString(),
      database: 'PostgreSQL',
      quick,
      viewsPerSecond,
      loadAverage: { before: +loadBefore.toFixed(1), after: +loadavg()[0]!.toFixed(1) },
      export: [baseline, underLoad],
      exportedByType: byType,
      duplicatesAtSink: sink.received.length - sink.lags.size,
      notifications,
      target: { exportLagP99Ms: 5_000, met: underLoad.lagP99Ms <= 5_000 },
    };
    await writeFile(
      new URL('./results/analytics.json', import.meta.url),
      JSON.stringify(result, null, 2) + '\n',
    );
    const md = [
      `# analytics and notifications benchmark (${result.date.slice(0, 10)}, PostgreSQL, 2 shared cores${quick ? ', quick' : ''})`,
      '',
      'One server process (`apps/server`, SERVICES=all) exporting to an HTTP sink (ANALYTICS_SINK_URL) and',
      'mailing through an SMTP server (SMTP_URL), both in the benchmark process; the payment sandbox in its',
      `own. Product views are posted at ${viewsPerSecond}/s (POST /events, 10 a call); the baseline phase has`,
      'nothing else, the load phase adds checkouts at 16 concurrent customers (3-line carts, `tok_visa`).',
      "Export lag: the sink receiving a record minus its event's `occurredAt`. Notification lag: the checkout",
      `answered 201 to the confirmation reaching the SMTP server. Load average ${result.loadAverage.before} before,`,
      `${result.loadAverage.after} after.`,
      '',
      '| phase | records | exported/s | lag p50 ms | lag p99 ms | lag max ms | checkouts/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...[baseline, underLoad].map(
        (r) =>
          `| ${r.phase} | ${r.records} | ${r.exportedPerSecond} | ${r.lagP50Ms} | ${r.lagP99Ms} | ${r.lagMaxMs} | ${'checkoutsPerSecond' in r ? r.checkoutsPerSecond : '—'} |`,
      ),
      '',
      `Target export lag p99 ≤ 5 s under checkout load: ${result.target.met ? 'met' : 'NOT met'}.`,
      `Records by type: ${Object.entries(byType)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}; duplicates at the sink: ${result.duplicatesAtSink}.`,
      '',
      '| order confirmations expected | received | delivery lag p50 ms | p99 ms |',
      '|---:|---:|---:|---:|',
      `| ${notifications.confirmationsExpected} | ${notifications.confirmationsReceived} | ${notifications.lagP50Ms} | ${notifications.lagP99Ms} |`,
      '',
    ].join('\n');
    await writeFile(new URL('./results/analytics.md', import.meta.url), md);
  } finally {
    await store.stop();
    await sink.close();
    await smtp.close();
    await database.drop();
  }
}
