import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { conflict, createEvent, newId, writeEvents, type FieldError } from '@emporium/platform';
import type { CatalogDB } from './schema.ts';
import { imageUrl } from './queries.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { CatalogEventType, ProductDocument, ProductInput, ProductStatus } from './types.ts';

/** One product of a write batch, its owner, and the line it came from (imports) for error reports. */
export interface WriteItem {
  line: number;
  sellerId: string;
  input: ProductInput;
  /** A rating summary to start from (demo data); sellers cannot set it. */
  rating?: { average: number; count: number };
}

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface WriteResult {
  line: number;
  productId?: string;
  outcome?: Outcome;
  document?: ProductDocument;
  errors?: FieldError[];
}

export interface Prepared {
  item: WriteItem;
  /** seller + handle: a product's identity for upserts. */
  key: string;
  id: string;
  handle: string;
  brandId: string | null;
  categoryId: string;
  document: ProductDocument;
  hash: string;
}

export const handleOf = (input: ProductInput) => input.handle ?? input.variants[0]?.sku ?? '';
const keyOf = (sellerId: string, handle: string) => `${sellerId}\u0000${handle}`;

const hashOf = (input: ProductInput, categoryPath: string) =>
  createHash('sha1')
    .update(JSON.stringify([{ ...input, category: categoryPath }]))
    .digest('base64url');

/**
 * The one write path of the catalog: a seller's create, update, archive and every import batch go
 * through it. Products upsert by (seller, handle), variants by sku; a product whose content hash did not
 * change is not touched and emits nothing, so re-running an import is a no-op. Each changed product
 * writes exactly one event, in the same transaction as the change.
 */
export class ProductWriter {
  constructor(
    private readonly db: Kysely<CatalogDB>,
    private readonly taxonomy: Taxonomy,
  ) {}

  /** Resolves references, drops unchanged products and finds rows that cannot be written. */
  async prepare(
    items: WriteItem[],
  ): Promise<{ ready: Prepared[]; failed: WriteResult[]; unchanged: WriteResult[] }> {
    const failed: WriteResult[] = [];
    const unchanged: WriteResult[] = [];
    await this.taxonomy.preloadBrands(items.map((i) => i.input.brand));
    const existing = await this.existing(items);
    const owners = await this.skuOwners(items.flatMap((i) => i.input.variants.map((v) => v.sku)));
    const claimed = new Map<string, string>();
    const keys = new Set<string>();
    const ready: Prepared[] = [];
    for (const item of items) {
      const handle = handleOf(item.input);
      const key = keyOf(item.sellerId, handle);
      const errors: FieldError[] = [];
      item.input.variants.forEach((v, i) => {
        const owner = owners.get(v.sku);
        const field = `variants[${i}].sku`;
        if (owner && owner.sellerId !== item.sellerId)
          errors.push({ field, message: `sku ${v.sku} belongs to another seller` });
        else if (owner && owner.handle !== handle)
          errors.push({ field, message: `sku ${v.sku} belongs to another product` });
        else if (claimed.has(v.sku) && claimed.get(v.sku) !== key)
          errors.push({ field, message: `sku ${v.sku} repeats an earlier row` });
      });
      if (keys.has(key))
        errors.push({
          field: 'handle',
          message: `product ${handle} repeats an earlier row (keep its rows together)`,
        });
      if (errors.length > 0) {
        failed.push({ line: item.line, errors });
        continue;
      }
      keys.add(key);
      item.input.variants.forEach((v) => claimed.set(v.sku, key));
      const prepared = await this.prepareOne(item, handle, key);
      const before = existing.get(key);
      if (before?.hash === prepared.hash)
        unchanged.push({ line: item.line, outcome: 'unchanged', productId: before.id });
      else ready.push(prepared);
    }
    return { ready, failed, unchanged };
  }

  private async existing(items: WriteItem[]) {
    const rows = items.length
      ? await this.db
          .selectFrom('products')
          .select(['id', 'seller_id', 'handle', 'content_hash'])
          .where(bySellerHandle(items.map((i) => [i.sellerId, handleOf(i.input)])))
          .execute()
      : [];
    return new Map(rows.map((r) => [keyOf(r.seller_id, r.handle), { id: r.id, hash: r.content_hash }]));
  }

  private async prepareOne(item: WriteItem, handle: string, key: string): Promise<Prepared> {
    const { input } = item;
    const category = await this.taxonomy.category(input.category);
    const brandId = await this.taxonomy.brand(input.brand);
    const cheapest = input.variants.reduce((a, b) => (b.price.amount < a.price.amount ? b : a));
    const document: ProductDocument = {
      id: '',
      title: input.title,
      description: input.description ?? '',
      brand: input.brand?.trim() || null,
      categoryPath: category.names,
      attributes: input.attributes ?? {},
      price: { ...cheapest.price },
      rating: 0,
      ratingCount: 0,
      sellerId: item.sellerId,
      status: input.status ?? 'active',
      createdAt: '',
      skus: input.variants.map((v) => v.sku),
    };
    const hash = hashOf({ ...input, handle }, category.path);
    return { item, key, id: newId(), handle, brandId, categoryId: category.id, document, hash };
  }

  private async skuOwners(skus: string[]) {
    const owners = new Map<string, { sellerId: string; handle: string }>();
    if (skus.length === 0) return owners;
    const rows = await this.db
      .selectFrom('variants as v')
      .innerJoin('products as p', 'p.id', 'v.product_id')
      .select(['v.sku', 'v.seller_id', 'p.handle'])
      .where('v.sku', 'in', skus)
      .execute();
    for (const r of rows) owners.set(r.sku, { sellerId: r.seller_id, handle: r.handle });
    return owners;
  }

  /** Writes prepared products in one transaction; returns one result per product. */
  async write(ready: Prepared[]): Promise<WriteResult[]> {
    if (ready.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const before = await this.previousStatuses(
        trx,
        ready.map((p) => [p.item.sellerId, p.handle]),
      );
      const rows = await this.upsertProducts(trx, ready);
      const byKey = new Map(rows.map((r) => [keyOf(r.seller_id, r.handle), r]));
      const changed = ready.filter((p) => byKey.has(p.key));
      await this.replaceVariants(trx, changed, byKey);
      const events = changed.map((p) => {
        const row = byKey.get(p.key)!;
        Object.assign(p.document, {
          id: row.id,
          createdAt: new Date(row.created_at).toISOString(),
          rating: Number(row.rating),
          ratingCount: row.rating_count,
          ...(row.image ? { image: imageUrl(row.image, 'listing') } : {}),
        });
        return createEvent(
          eventTypeOf(row.inserted, before.get(p.key), p.document.status),
          row.id,
          p.document,
        );
      });
      await writeEvents(trx, events);
      return ready.map((p): WriteResult => {
        const row = byKey.get(p.key);
        if (!row) return { line: p.item.line, outcome: 'unchanged', productId: before.get(p.key)?.id };
        return {
          line: p.item.line,
          productId: row.id,
          outcome: row.inserted ? 'created' : 'updated',
          document: p.document,
        };
      });
    });
  }

  private async previousStatuses(trx: Kysely<CatalogDB>, keys: [string, string][]) {
    const rows = await trx
      .selectFrom('products')
      .select(['id', 'seller_id', 'handle', 'status'])
      .where(bySellerHandle(keys))
      .forUpdate()
      .execute();
    return new Map(
      rows.map((r) => [keyOf(r.seller_id, r.handle), { id: r.id, status: r.status as ProductStatus }]),
    );
  }

  private upsertProducts(trx: Kysely<CatalogDB>, ready: Prepared[]) {
    return trx
      .insertInto('products')
      .values(
        ready.map((p) => ({
          id: p.id,
          seller_id: p.item.sellerId,
          handle: p.handle,
          title: p.document.title,
          description: p.document.description,
          brand_id: p.brandId,
          category_id: p.categoryId,
          attributes: JSON.stringify(p.document.attributes),
          status: p.document.status,
          min_price: p.document.price.amount,
          currency: p.document.price.currency,
          image: null,
          rating: p.item.rating?.average ?? 0,
          rating_count: p.item.rating?.count ?? 0,
          content_hash: p.hash,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['seller_id', 'handle'])
          .doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            description: eb.ref('excluded.description'),
            brand_id: eb.ref('excluded.brand_id'),
            category_id: eb.ref('excluded.category_id'),
            attributes: eb.ref('excluded.attributes'),
            status: eb.ref('excluded.status'),
            min_price: eb.ref('excluded.min_price'),
            currency: eb.ref('excluded.currency'),
            content_hash: eb.ref('excluded.content_hash'),
            version: sql<number>`products.version + 1`,
            updated_at: sql<string>`now()`,
          }))
          .where('products.content_hash', '<>', (eb) => eb.ref('excluded.content_hash')),
      )
      .returning([
        'id',
        'seller_id',
        'handle',
        'created_at',
        'rating',
        'rating_count',
        'image',
        sql<boolean>`(xmax = 0)`.as('inserted'),
      ])
      .execute();
  }

  private async replaceVariants(
    trx: Kysely<CatalogDB>,
    changed: Prepared[],
    byKey: Map<string, { id: string }>,
  ) {
    if (changed.length === 0) return;
    const ids = changed.map((p) => byKey.get(p.key)!.id);
    const keep = changed.flatMap((p) => p.document.skus);
    await trx.deleteFrom('variants').where('product_id', 'in', ids).where('sku', 'not in', keep).execute();
    const values = changed.flatMap((p) =>
      p.item.input.variants.map((v, position) => ({
        sku: v.sku,
        product_id: byKey.get(p.key)!.id,
        seller_id: p.item.sellerId,
        title: v.title ?? null,
        price_amount: v.price.amount,
        currency: v.price.currency,
        attributes: JSON.stringify(v.attributes ?? {}),
        position,
      })),
    );
    const written = await trx
      .insertInto('variants')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('sku')
          .doUpdateSet((eb) => ({
            product_id: eb.ref('excluded.product_id'),
            title: eb.ref('excluded.title'),
            price_amount: eb.ref('excluded.price_amount'),
            currency: eb.ref('excluded.currency'),
            attributes: eb.ref('excluded.attributes'),
            position: eb.ref('excluded.position'),
          }))
          .where('variants.seller_id', '=', (eb) => eb.ref('excluded.seller_id')),
      )
      .returning('sku')
      .execute();
    // A concurrent writer took a sku between prepare and write: the whole batch rolls back.
    if (written.length !== values.length) {
      const mine = new Set(written.map((w) => w.sku));
      throw conflict('A sku belongs to another seller', {
        skus: values.filter((v) => !mine.has(v.sku)).map((v) => v.sku),
      });
    }
  }
}

/**
 * `(seller_id, handle)` among the keys: uses the unique index, unlike `handle in (...)`. Two array
 * parameters instead of a long row-value list, which overflows PGlite's stack at a few hundred keys.
 */
function bySellerHandle(keys: [string, string][]) {
  const sellers = keys.map(([s]) => s);
  const handles = keys.map(([, h]) => h);
  return sql<boolean>`(seller_id, handle) in (select * from unnest(${sellers}::text[], ${handles}::text[]))`;
}

function eventTypeOf(
  inserted: boolean,
  before: { status: ProductStatus } | undefined,
  status: ProductStatus,
): CatalogEventType {
  if (inserted) return 'catalog.product.created';
  if (status === 'archived' && before?.status !== 'archived') return 'catalog.product.archived';
  return 'catalog.product.updated';
}
