import type { ServiceClientOptions, ServiceContext, ServiceModule, ServiceName } from '@emporium/platform';
import { createInventoryService, InventoryHttpClient, type InventoryApi } from '@emporium/inventory';
import { createUsersService, UsersHttpClient, type UsersApi } from '@emporium/users';
import { createCatalogService, CatalogHttpClient, type CatalogApi } from '@emporium/catalog';
import { createCartService, CartHttpClient, type CartApi, type VariantSource } from '@emporium/cart';
import {
  createPaymentsService,
  PaymentsHttpClient,
  paymentSettings,
  type PaymentsApi,
} from '@emporium/payments';
import { createOrdersService, OrdersHttpClient } from '@emporium/orders';
import { createSearchService, SearchHttpClient } from '@emporium/search';
import { createRecommendationsService, RecommendationsHttpClient } from '@emporium/recommendations';

/**
 * The domain APIs of the services, by name. A service that runs in this process contributes its
 * implementation; one that runs elsewhere contributes its typed HTTP client. Callers cannot tell which.
 */
export interface ServiceApis {
  [name: string]: unknown;
}

export interface ServiceEntry {
  name: ServiceName;
  /** Services whose API this one calls; they are built first (or reached over HTTP). */
  dependsOn: ServiceName[];
  create(context: ServiceContext, apis: ServiceApis): Promise<{ module: ServiceModule; api: unknown }>;
  /** The typed HTTP client for this service when it runs in another process. */
  client?(baseUrl: string, options: ServiceClientOptions): unknown;
}

/** Every service this build knows, in an order where dependencies come first. */
export const serviceEntries: ServiceEntry[] = [
  {
    name: 'users',
    dependsOn: [],
    create: (ctx) => createUsersService(ctx),
    client: (url, options) => new UsersHttpClient(url, options),
  },
  {
    name: 'inventory',
    dependsOn: [],
    create: (ctx) => createInventoryService(ctx),
    client: (url, options) => new InventoryHttpClient(url, options),
  },
  {
    name: 'catalog',
    dependsOn: ['inventory', 'users'],
    create: (ctx, apis) =>
      createCatalogService(ctx, {
        inventory: apis.inventory as InventoryApi | undefined,
        users: apis.users as UsersApi | undefined,
      }),
    client: (url, options) => new CatalogHttpClient(url, options),
  },
  {
    name: 'search',
    dependsOn: ['catalog', 'inventory'],
    create: (ctx, apis) =>
      createSearchService(ctx, {
        catalog: apis.catalog as CatalogApi,
        inventory: apis.inventory as InventoryApi,
      }),
    client: (url, options) => new SearchHttpClient(url, options),
  },
  // cart must come after the catalog entry (it calls CatalogApi.getVariants).
  {
    name: 'cart',
    dependsOn: ['catalog', 'inventory'],
    create: (ctx, apis) =>
      createCartService(ctx, {
        catalog: apis.catalog as VariantSource,
        inventory: apis.inventory as InventoryApi,
      }),
    client: (url, options) => new CartHttpClient(url, options),
  },
  {
    name: 'payments',
    dependsOn: [],
    create: (ctx) => createPaymentsService(ctx, paymentSettings(ctx.config.payments)),
    client: (url, options) => new PaymentsHttpClient(url, options),
  },
  {
    name: 'orders',
    dependsOn: ['cart', 'inventory', 'payments'],
    create: (ctx, apis) =>
      createOrdersService(ctx, {
        cart: apis.cart as CartApi,
        inventory: apis.inventory as InventoryApi,
        payments: apis.payments as PaymentsApi,
      }),
    client: (url, options) => new OrdersHttpClient(url, options),
  },
  // recommendations after orders: it consumes order and catalog events, calls catalog and inventory, and
  // reads a signed-in customer's cart when the cart API is reachable (optional: add_to_cart events otherwise).
  {
    name: 'recommendations',
    dependsOn: ['catalog', 'inventory'],
    create: (ctx, apis) =>
      createRecommendationsService(ctx, {
        catalog: apis.catalog as CatalogApi,
        inventory: apis.inventory as InventoryApi,
        cart: apis.cart as CartApi | undefined,
      }),
    client: (url, options) => new RecommendationsHttpClient(url, options),
  },
];
