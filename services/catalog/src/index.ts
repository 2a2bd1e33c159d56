// The catalog's public entry: its API and types, the service factory, the HTTP client, event types.
import { defineService, noSettings, requires } from '@emporium/platform';
import type {} from '@emporium/inventory';
import type {} from '@emporium/users';
import { AvailabilityChanged, type CatalogApi } from './types.ts';
import { stalePathPrefixes } from './catalog.ts';
import { createCatalogService } from './service.ts';
import { CatalogHttpClient } from './client.ts';
export type {
  CatalogApi,
  CatalogEventType,
  Money,
  ProductDocument,
  ProductStatus,
  ProductSummary,
  VariantSummary,
} from './types.ts';
export { AvailabilityChanged, CATALOG_EVENT_TYPES, ProductChanged, ProductDocumentSchema } from './types.ts';
export { stalePathPrefixes, type CatalogChange, type ChangeListener } from './catalog.ts';
export { createCatalogService, type CatalogDeps, type LocalCatalogApi } from './service.ts';
export { CatalogHttpClient } from './client.ts';
export type { BlobStore } from './blob-store.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    catalog: CatalogApi;
  }
}

export const catalogService = defineService({
  name: 'catalog',
  needs: { inventory: requires('inventory'), users: requires('users') },
  publicPaths: [
    '/categories',
    '/products',
    '/seller/products',
    '/seller/category-proposals',
    '/admin/categories',
    '/admin/category-proposals',
    '/images',
  ],
  settings: noSettings,
  create: (ctx, deps) => createCatalogService(ctx, deps),
  client: (url, options) => new CatalogHttpClient(url, options),
  gateway: {
    staleResponses: {
      // Stock changes arrive as the catalog's availability events: inventory knows SKUs, not products.
      subjects: ['catalog.product.>', AvailabilityChanged.type],
      fromEvent: (event) => stalePathPrefixes({ productIds: [event.subject] }),
    },
  },
});
