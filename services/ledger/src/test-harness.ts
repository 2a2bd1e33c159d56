// Small in-memory stand-ins for the orders and catalog contracts the ledger reads, for suites that build
// the ledger alone. The whole-store suite (flash-sale.test.ts) runs the real services instead.
import pg from 'pg';
import {
  createMetricsRegistry,
  InProcessEventBus,
  MemoryCache,
  newId,
  openDatabase,
  type Infrastructure,
  type ServiceContext,
} from '@emporium/platform';
import { silentLogger, testUrls, uniqueName } from '@emporium/platform/testing';
import type { ProductSummary } from '@emporium/catalog';
import { OrderPaid, type Order } from '@emporium/orders';
import type { LedgerDeps } from './deps.ts';
import { createLedgerService, type LedgerServiceOptions } from './service.ts';
import { ledgerSettings, type LedgerSettings } from './settings.ts';

export interface LineSpec {
  sellerId: string;
  productId: string;
  unit: number;
  quantity: number;
}

export class Marketplace implements LedgerDeps {
  readonly ordersById = new Map<string, Order>();
  readonly products = new Map<string, ProductSummary>();

  readonly orders = { getOrder: async (id: string) => this.ordersById.get(id) };
  readonly catalog = {
    getProducts: async (ids: string[]) =>
      ids.map((id) => this.products.get(id)).filter((p): p is ProductSummary => p !== undefined),
  };

  product(sellerId: string, categoryPath: string[]): string {
    const id = newId();
    this.products.set(id, {
      id,
      title: 'p',
      brand: null,
      categoryPath,
      price: { amount: 0, currency: 'EUR' },
      rating: 0,
      ratingCount: 0,
      sellerId,
      status: 'active',
      skus: [],
    });
    return id;
  }

  order(lines: LineSpec[], currency = 'EUR'): Order {
    const id = newId();
    const orderLines = lines.map((l, i) => ({
      sku: `SKU-${i}`,
      productId: l.productId,
      sellerId: l.sellerId,
      title: 't',
      quantity: l.quantity,
      unitPrice: { amount: l.unit, currency },
      lineTotal: { amount: l.unit * l.quantity, currency },
    }));
    const total = orderLines.reduce((a, l) => a + l.lineTotal.amount, 0);
    const order: Order = {
      id,
      customerId: newId(),
      status: 'paid',
      total: { amount: total, currency },
      lines: orderLines,
      shippingAddress: { name: 'n', line1: 'l', city: 'c', postalCode: '1', country: 'DE' },
      fulfilments: [],
      history: [],
      createdAt: new Date().toISOString(),
    };
    this.ordersById.set(id, order);
    return order;
  }
}

export const paidEvent = (order: Order) =>
  OrderPaid.create(order.id, {
    orderId: order.id,
    customerId: order.customerId,
    total: order.total,
    fulfilments: [...new Set(order.lines.map((l) => l.sellerId))].map((sellerId) => ({
      id: newId(),
      sellerId,
      lines: order.lines
        .filter((l) => l.sellerId === sellerId)
        .map((l) => ({ sku: l.sku, quantity: l.quantity })),
    })),
    shippingAddress: order.shippingAddress,
  });

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: testUrls.database });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

/**
 * A database of the suite's own: on a shared server, the payout run of another suite (or of the
 * authorisation matrix) would pay this suite's sellers while it counts their balances.
 */
async function ownInfrastructure(): Promise<Infrastructure> {
  const name = testUrls.database ? uniqueName('ledger_test') : undefined;
  if (name) await admin(`create database ${name}`);
  const url = name
    ? Object.assign(new URL(testUrls.database!), { pathname: `/${name}` }).toString()
    : undefined;
  const db = await openDatabase({ databaseUrl: url, dataDir: '', inMemory: true, poolSize: 5 });
  const bus = new InProcessEventBus();
  return {
    db,
    cache: new MemoryCache(),
    redis: undefined,
    deploymentName: 'emporium',
    bus,
    metrics: createMetricsRegistry(),
    logger: silentLogger(),
    close: async () => {
      await bus.close();
      await db.close();
      if (name) await admin(`drop database if exists ${name}`);
    },
  };
}

/** The ledger on the test infrastructure (real PostgreSQL when DATABASE_URL is set), jobs driven by hand. */
export async function ledgerUnderTest(env: Record<string, string> = {}, options: LedgerServiceOptions = {}) {
  const infra = await ownInfrastructure();
  const market = new Marketplace();
  const settings: LedgerSettings = ledgerSettings({ LEDGER_PAYOUT_CHECK_MS: '0', ...env });
  const ctx = { config: {} as ServiceContext['config'], infra };
  const service = await createLedgerService(ctx, market, settings, options);
  return { infra, market, ...service, close: () => infra.close() };
}
