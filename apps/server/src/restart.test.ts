/**
 * The embedded store (`npm start`, no DATABASE_URL) stopped and started again between a payment and its
 * cancellation: the payment sandbox it starts keeps its records in DATA_DIR, so the refund goes through.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@emporium/platform';
import { freePort, silentLogger } from '@emporium/platform/testing';
import { startServer, type RunningServer } from './server.ts';
import { Shopper } from './testing/shopper.ts';

async function embeddedConfig(): Promise<Config> {
  return loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-restart-')),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    PAYMENTS_SANDBOX_PORT: String(await freePort()),
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
  });
}

describe('the embedded store across a restart', () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.close());

  it('refunds on cancel an order paid before the restart, and puts the stock back', async () => {
    const config = await embeddedConfig();
    server = await startServer(config, silentLogger());
    const shop = new Shopper(server.url);
    const seller = await shop.register('seller');
    const customer = await shop.register('customer');
    const sku = await shop.listProduct(seller, 3);
    const order = await shop.buy(customer, sku);
    expect(order.status).toBe('paid');

    await server.close();
    server = await startServer(config, silentLogger());

    const cancelled = await shop.cancel(customer, order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('refunded');
    expect(await shop.stock(seller, sku)).toMatchObject({ onHand: 3, reserved: 0 });
  }, 120_000);
});
