// The catalog's public entry: its API and types, the service factory, the HTTP client, event types.
export type {
  CatalogApi,
  CatalogEventType,
  Money,
  ProductDocument,
  ProductStatus,
  ProductSummary,
  VariantSummary,
} from './types.ts';
export { CATALOG_EVENT_TYPES } from './types.ts';
export { stalePathPrefixes, type CatalogChange, type ChangeListener } from './catalog.ts';
export { createCatalogService, type CatalogDeps, type LocalCatalogApi } from './service.ts';
export { CatalogHttpClient } from './client.ts';
export type { BlobStore } from './blob-store.ts';
