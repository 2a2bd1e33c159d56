import { Type, type Static } from 'typebox';
import { defineEvent, MoneySchema, type Money } from '@emporium/platform';

export type { Money };

export type ProductStatus = 'draft' | 'active' | 'archived';

/** What other services need of one SKU (cart, orders). */
export interface VariantSummary {
  sku: string;
  productId: string;
  sellerId: string;
  title: string;
  variantTitle?: string;
  price: Money;
  status: ProductStatus;
  image?: string;
}

export interface ProductSummary {
  id: string;
  title: string;
  brand: string | null;
  categoryPath: string[];
  price: Money;
  rating: number;
  ratingCount: number;
  sellerId: string;
  status: ProductStatus;
  image?: string;
  skus: string[];
}

export const ProductDocumentSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  categoryPath: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.String()),
  price: MoneySchema,
  rating: Type.Number(),
  ratingCount: Type.Integer(),
  sellerId: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]),
  createdAt: Type.String(),
  image: Type.Optional(Type.String()),
  skus: Type.Array(Type.String()),
});
/** What search indexes, and the data of every catalog.product.* event. */
export type ProductDocument = Static<typeof ProductDocumentSchema>;

/** `catalog.product.created`, `.updated` and `.archived`: the product as it now stands. */
export const ProductChanged = defineEvent('catalog.product.*', ProductDocumentSchema);

/**
 * A product's stock changed (subject: the product id). Inventory knows SKUs only; the catalog maps them
 * to the product so that gateways in other processes drop that product's cached pages (ADR 0608).
 */
export const AvailabilityChanged = defineEvent(
  'catalog.availability.changed',
  Type.Object({ skus: Type.Array(Type.String()) }),
);

export interface CatalogApi {
  getVariants(skus: string[]): Promise<VariantSummary[]>;
  getProducts(ids: string[]): Promise<ProductSummary[]>;
  listAllProducts(
    cursor?: string,
    limit?: number,
  ): Promise<{ items: ProductDocument[]; nextCursor?: string }>;
}

export type CatalogEventType =
  'catalog.product.created' | 'catalog.product.updated' | 'catalog.product.archived';
export const CATALOG_EVENT_TYPES: CatalogEventType[] = [
  'catalog.product.created',
  'catalog.product.updated',
  'catalog.product.archived',
];

export interface VariantInput {
  sku: string;
  title?: string;
  price: Money;
  attributes?: Record<string, string>;
  /** Initial stock, forwarded to inventory. */
  stock?: number;
}

/** A product to create or replace, as DESIGN.md section 4 writes it. */
export interface ProductInput {
  title: string;
  description?: string;
  brand?: string | null;
  /** A category id or a path such as "Electronics/Phones". */
  category: string;
  attributes?: Record<string, string>;
  status?: ProductStatus;
  variants: VariantInput[];
  handle?: string;
}

export interface Variant {
  sku: string;
  title: string | null;
  price: Money;
  attributes: Record<string, string>;
}

export interface Breadcrumb {
  id: string;
  name: string;
  path: string;
}

export interface SellerInfo {
  id: string;
  storeName?: string;
  slug?: string;
  rating?: number;
}

export interface ImageRef {
  key: string;
  url: string;
  listingUrl: string;
  detailUrl: string;
}

/** A product as its owner and the product page see it (availability is added per request). */
export interface ProductDetail {
  id: string;
  handle: string;
  title: string;
  description: string;
  brand: string | null;
  category: Breadcrumb;
  breadcrumbs: Breadcrumb[];
  attributes: Record<string, string>;
  status: ProductStatus;
  price: Money;
  rating: { average: number; count: number };
  seller: SellerInfo;
  images: ImageRef[];
  variants: Variant[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Availability {
  available: number;
  inStock: boolean;
}

export interface CategoryNode {
  id: string;
  name: string;
  slug: string;
  path: string;
  productCount: number;
  children: CategoryNode[];
}

/** Browse sorts, named as search names them; `relevance` needs a query (search only). */
export type SortOrder = 'newest' | 'price_asc' | 'price_desc' | 'rating' | 'bestselling';
/** What a client may send: the sorts, plus `price` (an older name of `price_asc`) and `relevance`. */
export type RequestedSort = SortOrder | 'price' | 'relevance';

export interface ListQuery {
  category?: string;
  seller?: string;
  sort?: RequestedSort;
  inStock?: boolean;
  cursor?: string;
  perPage?: number;
  status?: ProductStatus;
}

export interface ListingItem {
  id: string;
  title: string;
  brand: string | null;
  price: Money;
  rating: number;
  ratingCount: number;
  image?: string;
  sellerId: string;
  status: ProductStatus;
  createdAt: string;
}
