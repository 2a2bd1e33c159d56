import { sql, type Kysely } from 'kysely';
import { CATALOG_SCHEMA, type CatalogDB } from './schema.ts';
import type { ProductDocument, ProductStatus } from './types.ts';

/**
 * The set-based statements of the write path (ADR 0605). A batch travels as two JSON parameters expanded
 * by `json_to_recordset`, not as a multi-row VALUES list: a thousand products with their variants would
 * be ~25,000 bind parameters, and building, sending, parsing and planning them cost more than the rows.
 */

/** What the catalog already holds for a batch: products by (seller, handle) and the owners of its skus. */
export interface StoredState {
  products: Map<string, { id: string; hash: string }>;
  owners: Map<string, { sellerId: string; handle: string }>;
}

// Raw SQL is not rewritten by `forSchema`'s schema plugin: its tables name the schema themselves.
const productsTable = sql.id(CATALOG_SCHEMA, 'products');
const variantsTable = sql.id(CATALOG_SCHEMA, 'variants');
const outboxTable = sql.id(CATALOG_SCHEMA, 'outbox');

export const keyOf = (sellerId: string, handle: string) => `${sellerId}\u0000${handle}`;

/** One round trip for both lookups of `prepare`; array parameters keep PGlite's stack safe. */
export async function storedState(
  db: Kysely<CatalogDB>,
  keys: [string, string][],
  skus: string[],
): Promise<StoredState> {
  const state: StoredState = { products: new Map(), owners: new Map() };
  if (keys.length === 0 && skus.length === 0) return state;
  const { rows } = await sql<{
    seller_id: string;
    handle: string;
    id: string;
    hash: string | null;
    sku: string | null;
  }>`
    select p.seller_id, p.handle, p.id, p.content_hash as hash, null::text as sku
      from ${productsTable} p
     where (p.seller_id, p.handle) in (select * from unnest(${keys.map(([s]) => s)}::text[], ${keys.map(([, h]) => h)}::text[]))
    union all
    select v.seller_id, p.handle, p.id, null, v.sku
      from ${variantsTable} v join ${productsTable} p on p.id = v.product_id
     where v.sku = any(${skus}::text[])`.execute(db);
  for (const r of rows) {
    if (r.sku === null) state.products.set(keyOf(r.seller_id, r.handle), { id: r.id, hash: r.hash ?? '' });
    else state.owners.set(r.sku, { sellerId: r.seller_id, handle: r.handle });
  }
  return state;
}

/** One product of an upsert batch; `n` ties its variants to it. */
export interface BatchProduct {
  n: number;
  id: string;
  event_id: string;
  seller_id: string;
  handle: string;
  brand_id: string | null;
  category_id: string;
  rating: number;
  rating_count: number;
  hash: string;
  /** Known only for products being archived: it decides between `archived` and `updated` events. */
  before_status: ProductStatus | null;
  /** The event document without the stored fields (id, createdAt, rating, image), which SQL adds. */
  doc: ProductDocument;
}

export interface BatchVariant {
  n: number;
  sku: string;
  title: string | null;
  amount: number;
  currency: string;
  attributes: Record<string, string>;
  position: number;
}

export interface UpsertedRow {
  n: number;
  id: string;
  inserted: boolean;
  variants_written: number;
}

/**
 * Upserts products (only where the content hash differs), replaces the changed products' variants and
 * writes one outbox event per changed product, in one statement: the outbox rows exist exactly when the
 * changes do. Returns one row per changed product and how many variant rows were written (fewer than
 * sent means another seller owns a sku: the caller rolls back).
 */
export async function upsertBatch(
  trx: Kysely<CatalogDB>,
  products: BatchProduct[],
  variants: BatchVariant[],
): Promise<UpsertedRow[]> {
  return (await upsertStatement(products, variants).execute(trx)).rows;
}

export function upsertStatement(products: BatchProduct[], variants: BatchVariant[]) {
  return sql<UpsertedRow>`
    with input as (
      select * from json_to_recordset(${JSON.stringify(products)}::json) as t(
        n int, id uuid, event_id uuid, seller_id text, handle text, brand_id uuid, category_id uuid,
        rating numeric, rating_count int, hash text, before_status text, doc jsonb)
    ),
    up as (
      insert into ${productsTable} as p (id, seller_id, handle, title, description, brand_id, category_id,
        attributes, status, min_price, currency, rating, rating_count, content_hash)
      select id, seller_id, handle, doc->>'title', doc->>'description', brand_id, category_id,
        doc->'attributes', doc->>'status', (doc->'price'->>'amount')::bigint, doc->'price'->>'currency',
        rating, rating_count, hash
        from input order by n
      on conflict (seller_id, handle) do update set
        title = excluded.title, description = excluded.description, brand_id = excluded.brand_id,
        category_id = excluded.category_id, attributes = excluded.attributes, status = excluded.status,
        min_price = excluded.min_price, currency = excluded.currency, content_hash = excluded.content_hash,
        version = p.version + 1, updated_at = now()
      where p.content_hash <> excluded.content_hash
      returning p.id, p.seller_id, p.handle, p.created_at, p.rating, p.rating_count, p.image,
        (p.xmax = 0) as inserted
    ),
    changed as (
      select i.n, i.event_id, i.doc, i.before_status, up.*
        from up join input i on i.seller_id = up.seller_id and i.handle = up.handle
    ),
    vin as (
      select * from json_to_recordset(${JSON.stringify(variants)}::json) as v(
        n int, sku text, title text, amount bigint, currency text, attributes jsonb, position int)
    ),
    gone as (
      delete from ${variantsTable} v using changed c
       where not c.inserted and v.product_id = c.id
         and not exists (select 1 from vin where vin.n = c.n and vin.sku = v.sku)
    ),
    vup as (
      insert into ${variantsTable} as v (sku, product_id, seller_id, title, price_amount, currency, attributes, position)
      select vin.sku, c.id, c.seller_id, vin.title, vin.amount, vin.currency, vin.attributes, vin.position
        from vin join changed c on c.n = vin.n
      on conflict (sku) do update set
        product_id = excluded.product_id, title = excluded.title, price_amount = excluded.price_amount,
        currency = excluded.currency, attributes = excluded.attributes, position = excluded.position
      where v.seller_id = excluded.seller_id
      returning 1
    ),
    events as (
      insert into ${outboxTable} (id, type, subject, payload, occurred_at)
      select event_id,
        case when inserted then 'catalog.product.created'
             when doc->>'status' = 'archived' and coalesce(before_status, '') <> 'archived'
               then 'catalog.product.archived'
             else 'catalog.product.updated' end,
        id::text,
        doc || jsonb_build_object(
          'id', id,
          'createdAt', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'rating', rating::float8,
          'ratingCount', rating_count)
          || case when image is null then '{}'::jsonb else jsonb_build_object('image',
               '/api/v1/images/' || regexp_replace(image, '\\.\\w+$', '') || '-listing.webp') end,
        now()
        from changed order by n
    )
    select n, id, inserted, (select count(*) from vup)::int as variants_written from changed`;
}
