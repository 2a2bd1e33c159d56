// The reviews service on the test infrastructure, with orders, catalog and users standing in as plain
// objects: the tests say which orders exist and in which status, and read the events it publishes.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  loadConfig,
  newId,
  subscribeTo,
  type DomainEvent,
  type Infrastructure,
  type Role,
} from '@emporium/platform';
import { buildTestApp, testInfrastructure, testTokens, uniqueName } from '@emporium/platform/testing';
import type { ProductSummary } from '@emporium/catalog';
import type { Order, OrderStatus } from '@emporium/orders';
import { createReviewsService, type ReviewsServiceParts } from './service.ts';
import { ProductRatingChanged, SellerRatingChanged } from './types.ts';

export interface Harness {
  infra: Infrastructure;
  schema: string;
  parts: ReviewsServiceParts;
  app: Awaited<ReturnType<typeof buildTestApp>>;
  orders: Map<string, Order>;
  products: Set<string>;
  sellers: Set<string>;
  ratingEvents: DomainEvent[];
  tokenFor(id: string, role?: Role): Promise<string>;
  call(
    method: string,
    url: string,
    who?: { id: string; role?: Role },
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** An order of `customerId` for `productIds`, in the projection as the orders events would put it. */
  buy(customerId: string, productIds: string[], status?: OrderStatus, sellerId?: string): Promise<Order>;
  /** The same order, known to the orders service only: its events have not been handled yet. */
  order(customerId: string, productIds: string[], status?: OrderStatus, sellerId?: string): Order;
  /** Builds a second service on the same schema, as a process started after a crash would. */
  restart(): Promise<ReviewsServiceParts>;
  close(): Promise<void>;
}

const summary = (id: string): ProductSummary => ({
  id,
  title: `Product ${id}`,
  brand: null,
  categoryPath: ['Home'],
  price: { amount: 1000, currency: 'EUR' },
  rating: 0,
  ratingCount: 0,
  sellerId: newId(),
  status: 'active',
  skus: [],
});

export async function startHarness(): Promise<Harness> {
  const infra = await testInfrastructure();
  const schema = uniqueName('reviews_t');
  const orders = new Map<string, Order>();
  const products = new Set<string>();
  const sellers = new Set<string>();
  const deps = {
    orders: { getOrder: async (id: string) => orders.get(id) },
    catalog: {
      getProducts: async (ids: string[]) => ids.filter((id) => products.has(id)).map(summary),
      listAllProducts: async () => ({ items: [] }),
    },
    users: {
      getUsers: async (ids: string[]) =>
        ids.map((id) => ({ id, name: 'Ada Lovelace', role: 'customer' as const, status: 'active' as const })),
      getSellers: async (ids: string[]) =>
        ids.filter((id) => sellers.has(id)).map((id) => ({ id, storeName: 'Shop', slug: `shop-${id}` })),
    },
  };
  const config = {
    ...loadConfig({}),
    dataDir: await mkdtemp(join(tmpdir(), 'reviews-')),
    seedDemoData: false,
  };
  const build = () => createReviewsService({ config, infra }, deps, { schema });
  const parts = await build();
  const ratingEvents: DomainEvent[] = [];
  const collect = async (event: DomainEvent) => void ratingEvents.push(event);
  const subscriptions = [
    await subscribeTo(infra.bus, uniqueName('t'), ProductRatingChanged, collect, infra.logger),
    await subscribeTo(infra.bus, uniqueName('t'), SellerRatingChanged, collect, infra.logger),
  ];
  const tokens = await testTokens();
  const app = await buildTestApp([parts.module], tokens.verifier);
  await parts.module.start?.();
  const tokenFor = (id: string, role: Role = 'customer') => tokens.tokenFor({ id, role });
  let extra: ReviewsServiceParts | undefined;
  function makeOrder(
    customerId: string,
    productIds: string[],
    status: OrderStatus = 'paid',
    sellerId = newId(),
  ): Order {
    const order: Order = {
      id: newId(),
      customerId,
      status,
      total: { amount: 1000, currency: 'EUR' },
      lines: productIds.map((productId, i) => ({
        sku: `SKU-${i}`,
        productId,
        sellerId,
        title: 'Lamp',
        quantity: 1,
        unitPrice: { amount: 1000, currency: 'EUR' },
        lineTotal: { amount: 1000, currency: 'EUR' },
      })),
      shippingAddress: { name: 'A', line1: '1 St', city: 'C', postalCode: '1', country: 'GB' },
      fulfilments: [],
      history: [{ status: 'pending_payment', at: new Date().toISOString() }],
      createdAt: new Date().toISOString(),
    };
    if (status !== 'pending_payment') order.history.push({ status, at: new Date().toISOString() });
    orders.set(order.id, order);
    return order;
  }

  return {
    infra,
    schema,
    parts,
    app,
    orders,
    products,
    sellers,
    ratingEvents,
    tokenFor,
    async call(method, url, who, body) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: who ? { authorization: `Bearer ${await tokenFor(who.id, who.role)}` } : {},
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      return {
        status: res.statusCode,
        body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {},
      };
    },
    async buy(customerId, productIds, status, sellerId) {
      const order = makeOrder(customerId, productIds, status, sellerId);
      await parts.purchases.refresh(order.id);
      return order;
    },
    order: makeOrder,
    async restart() {
      extra = await build();
      await extra.module.start?.();
      return extra;
    },
    async close() {
      await app.close();
      await extra?.module.stop?.();
      await parts.module.stop?.();
      for (const s of subscriptions) await s.stop();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(infra.db.forSchema(schema));
      await infra.close();
    },
  };
}

/** A product the catalog knows. */
export function product(h: Harness): string {
  const id = newId();
  h.products.add(id);
  return id;
}

export const customer = () => ({ id: newId(), role: 'customer' as const });
export const admin = () => ({ id: newId(), role: 'admin' as const });

export const goodReview = { rating: 4, title: 'Bright and warm', body: 'Lights the whole desk.' };
