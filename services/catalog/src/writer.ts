import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { conflict, createEvent, newId, writeEvents, type FieldError } from '@emporium/platform';
import type { CatalogDB } from './schema.ts';
import { imageUrl } from './queries.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { CatalogEventType, ProductDocument, ProductInput, ProductStatus } from './types.ts';

/** One product of a write batch, with the line it came from (imports) for error reports. */
export interface WriteItem {
  line: number;
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

interface Prepared {
  item: WriteItem;
  id: string;
  handle: string;
  brandId: string | null;
  categoryId: string;
  document: ProductDocument;
  hash: string;
}

const hashOf = (input: ProductInput, categoryPath: string) =>
  createHash('sha1')
    .update(JSON.stringify([{ ...input, category: categoryPath }]))
    .digest('base64url');

/**
 * The one write path of the catalog: a seller's create, update, archive and every import batch go
 * through it. Products upsert by (seller, handle), variants by sku; a product whose content hash did not
 * change is not touched and emits nothing, so re-running an import is a no-op. Each changed product
 * writes exactly one event, in the same transaction.
 */
export class ProductWriter {
  constructor(
    private readonly db: Kysely<CatalogDB>,
    private readonly taxonomy: Taxonomy,
  ) {}

  /** Resolves references and finds rows that cannot be written (sku owned elsewhere, repeated sku). */
  async prepare(
    sellerId: string,
    items: WriteItem[],
  ): Promise<{ ready: Prepared[]; failed: WriteResult[]; unchanged: WriteResult[] }> {
    const failed: WriteResult[] = [];
    const unchanged: WriteResult[] = [];
    const existing = await this.existing(
      sellerId,
      items.map((i) => i.input.handle ?? i.input.variants[0]?.sku ?? ''),
    );
    const owners = await this.skuOwners(items.flatMap((i) => i.input.variants.map((v) => v.sku)));
    const claimed = new Map<string, string>();
    const ready: Prepared[] = [];
    for (const item of items) {
      const handle = item.input.handle ?? item.input.variants[0]?.sku ?? '';
      const errors: FieldError[] = [];
      item.input.variants.forEach((v, i) => {
        const owner = owners.get(v.sku);
        if (owner && owner.sellerId !== sellerId)
          errors.push({ field: `variants[${i}].sku`, message: `sku ${v.sku} belongs to another seller` });
        else if (owner && owner.handle !== handle)
          errors.push({ field: `variants[${i}].sku`, message: `sku ${v.sku} belongs to another product` });
        else if (claimed.has(v.sku) && claimed.get(v.sku) !== handle)
          errors.push({ field: `variants[${i}].sku`, message: `sku ${v.sku} repeats an earlier row` });
      });
      if (ready.some((p) => p.handle === handle))
        errors.push({
          field: 'handle',
          message: `product ${handle} repeats an earlier row (keep its rows together)`,
        });
      if (errors.length > 0) {
        failed.push({ line: item.line, errors });
        continue;
      }
      item.input.variants.forEach((v) => claimed.set(v.sku, handle));
      const prepared = await this.prepareOne(sellerId, item, handle);
      const before = existing.get(handle);
      if (before?.hash === prepared.hash)
        unchanged.push({ line: item.line, outcome: 'unchanged', productId: before.id });
      else ready.push(prepared);
    }
    return { ready, failed, unchanged };
  }

  private async existing(sellerId: string, handles: string[]) {
    const rows = await this.db
      .selectFrom('products')
      .select(['id', 'handle', 'content_hash'])
      .where('seller_id', '=', sellerId)
      .where('handle', 'in', handles.length > 0 ? handles : [''])
      .execute();
    return new Map(rows.map((r) => [r.handle, { id: r.id, hash: r.content_hash }]));
  }

  private async prepareOne(sellerId: string, item: WriteItem, handle: string): Promise<Prepared> {
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
      sellerId,
      status: input.status ?? 'active',
      createdAt: '',
      skus: input.variants.map((v) => v.sku),
    };
    return {
      item,
      id: newId(),
      handle,
      brandId,
      categoryId: category.id,
      document,
      hash: hashOf({ ...input, handle }, category.path),
    };
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
  async write(sellerId: string, ready: Prepared[]): Promise<WriteResult[]> {
    if (ready.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const before = await this.previousStatuses(
        trx,
        sellerId,
        ready.map((p) => p.handle),
      );
      const rows = await this.upsertProducts(trx, sellerId, ready);
      const byHandle = new Map(rows.map((r) => [r.handle, r]));
      const changed = ready.filter((p) => byHandle.has(p.handle));
      await this.replaceVariants(trx, sellerId, changed, byHandle);
      const events = changed.map((p) => {
        const row = byHandle.get(p.handle)!;
        Object.assign(p.document, {
          id: row.id,
          createdAt: new Date(row.created_at).toISOString(),
          rating: Number(row.rating),
          ratingCount: row.rating_count,
          ...(row.image ? { image: imageUrl(row.image, 'listing') } : {}),
        });
        return createEvent(
          eventTypeOf(row.inserted, before.get(p.handle), p.document.status),
          row.id,
          p.document,
        );
      });
      await writeEvents(trx, events);
      return ready.map((p): WriteResult => {
        const row = byHandle.get(p.handle);
        if (!row) return { line: p.item.line, outcome: 'unchanged', productId: before.get(p.handle)?.id };
        return {
          line: p.item.line,
          productId: row.id,
          outcome: row.inserted ? 'created' : 'updated',
          document: p.document,
        };
      });
    });
  }

  private async previousStatuses(trx: Kysely<CatalogDB>, sellerId: string, handles: string[]) {
    const rows = await trx
      .selectFrom('products')
      .select(['id', 'handle', 'status'])
      .where('seller_id', '=', sellerId)
      .where('handle', 'in', handles)
      .forUpdate()
      .execute();
    return new Map(rows.map((r) => [r.handle, { id: r.id, status: r.status as ProductStatus }]));
  }

  private upsertProducts(trx: Kysely<CatalogDB>, sellerId: string, ready: Prepared[]) {
    return trx
      .insertInto('products')
      .values(
        ready.map((p) => ({
          id: p.id,
          seller_id: sellerId,
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
    sellerId: string,
    changed: Prepared[],
    byHandle: Map<string, { id: string }>,
  ) {
    if (changed.length === 0) return;
    const ids = changed.map((p) => byHandle.get(p.handle)!.id);
    const keep = changed.flatMap((p) => p.document.skus);
    await trx.deleteFrom('variants').where('product_id', 'in', ids).where('sku', 'not in', keep).execute();
    const values = changed.flatMap((p) =>
      p.item.input.variants.map((v, position) => ({
        sku: v.sku,
        product_id: byHandle.get(p.handle)!.id,
        seller_id: sellerId,
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
          .where('variants.seller_id', '=', sellerId),
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

function eventTypeOf(
  inserted: boolean,
  before: { status: ProductStatus } | undefined,
  status: ProductStatus,
): CatalogEventType {
  if (inserted) return 'catalog.product.created';
  if (status === 'archived' && before?.status !== 'archived') return 'catalog.product.archived';
  return 'catalog.product.updated';
}
