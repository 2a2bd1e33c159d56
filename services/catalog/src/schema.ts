import type { Generated } from 'kysely';
import type { OutboxTables } from '@emporium/platform';

/** The PostgreSQL schema the catalog owns. */
export const CATALOG_SCHEMA = 'catalog';

/** The catalog schema's tables, as Kysely sees them. */
export interface CatalogDB extends OutboxTables {
  categories: {
    id: string;
    parent_id: string | null;
    slug: string;
    name: string;
    path: string;
    depth: number;
    retired_at: Generated<string | null>;
  };
  taxonomy_installs: { name: string; installed_at: Generated<string> };
  category_proposals: {
    id: string;
    seller_id: string;
    path: string;
    slug_path: string;
    reason: string;
    status: 'pending' | 'approved' | 'rejected';
    category_id: string | null;
    decision_note: string | null;
    decided_by: string | null;
    created_at: Generated<string>;
    decided_at: string | null;
  };
  brands: { id: string; name: string; key: string };
  products: {
    id: string;
    seller_id: string;
    handle: string;
    title: string;
    description: string;
    brand_id: string | null;
    category_id: string;
    attributes: unknown;
    status: string;
    min_price: number;
    currency: string;
    image: string | null;
    rating: Generated<number>;
    rating_count: Generated<number>;
    review_rating_version: Generated<number>;
    popularity: Generated<number>;
    in_stock: Generated<boolean | null>;
    content_hash: string;
    version: Generated<number>;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  variants: {
    sku: string;
    product_id: string;
    seller_id: string;
    title: string | null;
    price_amount: number;
    currency: string;
    attributes: unknown;
    position: number;
  };
  images: {
    product_id: string;
    key: string;
    position: number;
    width: number | null;
    height: number | null;
  };
  reviews: {
    id: string;
    product_id: string;
    rating: number;
    comment: string;
    reviewer_name: string;
    created_at: Generated<string>;
  };
}
