/**
 * The README's "Running several processes" block, run as written: the same shell commands, with only
 * what must differ on a shared test machine replaced (free ports for the fixed ones, this run's
 * database and servers, its own DEPLOYMENT_NAME). A customer then buys through the gateway. Runs when
 * DATABASE_URL is set (see vitest.config.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { JetStreamEventBus, jetStreamNames } from '@emporium/platform';
import { freePort, testUrls } from '@emporium/platform/testing';
import { Shopper } from './testing/shopper.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const FIXED_PORTS = ['3000', '3001', '3002', '4010'] as const;

/** The first sh block after the heading: what a reader copies. */
function recipeFromReadme(readme: string): string {
  const section = readme.slice(readme.indexOf('## Running several processes'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('README: no sh block under "Running several processes"');
  return block[1];
}

/** Only the machine-specific parts change: the infrastructure line and the fixed ports. */
function adapt(recipe: string, urls: { database: string }, ports: Record<string, number>): string {
  const infrastructure = recipe.split('\n').find((line) => line.startsWith('export DATABASE_URL='));
  expect(infrastructure, 'the recipe exports the infrastructure URLs').toBeDefined();
  const ours = `export DATABASE_URL=${urls.database} REDIS_URL=${testUrls.redis ?? ''} NATS_URL=${testUrls.nats ?? ''}`;
  return recipe
    .replace(infrastructure!, ours)
    .replace(/\b(3000|3001|3002|4010)\b/g, (port) => String(ports[port]));
}

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: testUrls.database });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testUrls.database!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testUrls.database });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

const healthy = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

/** Fails with the recipe's own output when a process does not come up, or the script stopped. */
async function waitUntilHealthy(port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (!(await healthy(port))) {
    if (Date.now() > deadline) throw new Error(`port ${port} never answered: ${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("the README's multi-process recipe", () => {
  const run = randomBytes(4).toString('hex');
  const database = `emporium_recipe_${run}`;
  const deploymentName = `recipe-${run}`;
  const ports: Record<string, number> = {};
  let shell: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    for (const port of FIXED_PORTS) ports[port] = await freePort();
    const databaseUrl = await createDatabase(database);
    const script = adapt(
      recipeFromReadme(readFileSync(join(root, 'README.md'), 'utf8')),
      { database: databaseUrl },
      ports,
    );
    // Its own process group, so the processes the recipe starts with `&` are stopped with it.
    shell = spawn('bash', ['-e', '-c', script], {
      cwd: root,
      detached: true,
      env: {
        ...process.env,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-recipe-')),
        DEPLOYMENT_NAME: deploymentName,
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    shell.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    shell.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (const port of FIXED_PORTS) await waitUntilHealthy(ports[port]!, () => output);
  }, 180_000);

  afterAll(async () => {
    if (shell?.pid && shell.exitCode === null) {
      const exited = new Promise((resolve) => shell!.once('exit', resolve));
      process.kill(-shell.pid, 'SIGTERM');
      await exited;
    }
    // The servers need a moment to let go of their connections before the database can be dropped.
    await new Promise((r) => setTimeout(r, 1_000));
    await dropDatabase(database);
    const bus = await JetStreamEventBus.connect(testUrls.nats!, {
      ...jetStreamNames(deploymentName),
      deleteStreamOnClose: true,
    });
    await bus.close();
  }, 60_000);

  it('takes a payment: a seller lists and stocks a product, a customer checks out with tok_visa and the order is paid', async () => {
    const shop = new Shopper(`http://127.0.0.1:${ports['3000']}`);
    const seller = await shop.register('seller');
    const customer = await shop.register('customer');
    const sku = await shop.listProduct(seller, 4);
    const order = await shop.buy(customer, sku);
    expect(order.status, JSON.stringify(order)).toBe('paid');
    expect(await shop.stock(seller, sku)).toMatchObject({ onHand: 3, reserved: 0 });
    const cancelled = await shop.cancel(customer, order.id);
    expect(cancelled.body.status).toBe('refunded');
  });

  it('documents every public route at the gateway, wherever the services run', async () => {
    const response = await fetch(`http://127.0.0.1:${ports['3000']}/api/openapi.json`);
    const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/v1/orders']?.post).toBeDefined();
    expect(doc.paths['/api/v1/search']?.get).toBeDefined();
    expect(doc.paths['/api/v1/products/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/v1/cart/items']?.post).toBeDefined();
    expect(Object.keys(doc.paths).some((path) => path.startsWith('/internal/'))).toBe(false);
  });
});
