import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
  conflict,
  isAppError,
  isId,
  newId,
  writeEvents,
  type DomainEvent,
  type FieldError,
} from '@emporium/platform';
import type { CatalogDB } from './schema.ts';
import type { Taxonomy } from './taxonomy.ts';
import { StockRequested, type Role, type StockRequest } from './ports.ts';
import type { ProductDocument, ProductInput, ProductStatus } from './types.ts';
import {
  keyOf,
  storedState,
  upsertBatch,
  type BatchProduct,
  type BatchVariant,
  type StoredState,
} from './batch-sql.ts';

/** One product of a write batch, its owner, and the line it came from (imports) for error reports. */
export interface WriteItem {
  line: number;
  sellerId: string;
  input: ProductInput;
  /** A rating summary to start from (demo data); sellers cannot set it. */
  rating?: { average: number; count: number };
  /** The product's category as stored: accepted even if an admin retired it since (an update, an archive). */
  storedCategoryId?: string;
}

export interface PrepareOptions {
  /** Create the category paths the tree lacks (an admin's import, the demo seed); never a seller's write. */
  createCategories?: boolean;
}

export type Outcome = 'created' | 'updated' | 'unchanged';

/** What `write` committed: a result per product, and the stock requests now in the outbox (ADR 0607). */
export interface Written {
  results: WriteResult[];
  stockRequests: DomainEvent<StockRequest>[];
}

export interface WriteResult {
  line: number;
  productId?: string;
  outcome?: Outcome;
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
  /** The event document; `id` is filled in once written. */
  document: ProductDocument;
  hash: string;
}

export const handleOf = (input: ProductInput) => input.handle ?? input.variants[0]?.sku ?? '';

const hashOf = (input: ProductInput, categoryPath: string) =>
  createHash('sha1')
    .update(JSON.stringify([{ ...input, category: categoryPath }]))
    .digest('base64url');

/**
 * The one write path of the catalog: a seller's create, update, archive and every import batch go
 * through it. Products upsert by (seller, handle), variants by sku; a product whose content hash did not
 * change is not touched and emits nothing, so re-running an import is a no-op. Each changed product
 * writes exactly one event, in the same transaction as the change (ADR 0600, set-based since ADR 0605).
 */
export class ProductWriter {
  constructor(
    private readonly db: Kysely<CatalogDB>,
    private readonly taxonomy: Taxonomy,
  ) {}

  /** Resolves references, drops unchanged products and finds rows that cannot be written. */
  async prepare(
    items: WriteItem[],
    options: PrepareOptions = {},
  ): Promise<{ ready: Prepared[]; failed: WriteResult[]; unchanged: WriteResult[] }> {
    const failed: WriteResult[] = [];
    const unchanged: WriteResult[] = [];
    await this.taxonomy.preloadBrands(items.map((i) => i.input.brand));
    const stored = await storedState(
      this.db,
      items.map((i) => [i.sellerId, handleOf(i.input)]),
      items.flatMap((i) => i.input.variants.map((v) => v.sku)),
    );
    const claimed = new Map<string, string>();
    const keys = new Set<string>();
    const ready: Prepared[] = [];
    for (const item of items) {
      const handle = handleOf(item.input);
      const key = keyOf(item.sellerId, handle);
      const errors = conflictsOf(item, handle, key, stored, claimed, keys);
      if (errors.length > 0) {
        failed.push({ line: item.line, errors });
        continue;
      }
      keys.add(key);
      item.input.variants.forEach((v) => claimed.set(v.sku, key));
      const prepared = await this.prepareOne(item, handle, key, options).catch((error: unknown) => {
        if (isAppError(error) && (error.kind === 'Validation' || error.kind === 'Conflict'))
          return {
            errors: error.details.fields?.length
              ? error.details.fields
              : [{ field: 'category', message: error.message }],
          };
        throw error;
      });
      if ('errors' in prepared) {
        failed.push({ line: item.line, errors: prepared.errors });
        continue;
      }
      const before = stored.products.get(key);
      if (before?.hash === prepared.hash)
        unchanged.push({ line: item.line, outcome: 'unchanged', productId: before.id });
      else ready.push(prepared);
    }
    return { ready, failed, unchanged };
  }

  private async prepareOne(
    item: WriteItem,
    handle: string,
    key: string,
    options: PrepareOptions,
  ): Promise<Prepared> {
    const { input } = item;
    const category = await this.categoryOf(item, options);
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

  private categoryOf({ input, storedCategoryId }: WriteItem, options: PrepareOptions) {
    if (storedCategoryId !== undefined && input.category === storedCategoryId)
      return this.taxonomy.storedCategory(storedCategoryId);
    if (options.createCategories && !isId(input.category)) return this.taxonomy.ensurePath(input.category);
    return this.taxonomy.category(input.category);
  }

  /**
   * Writes prepared products in one transaction; returns one result per product. With a `stockActor`,
   * the stock of every changed product goes to the outbox in the same transaction, so it reaches
   * inventory even if the process stops right after the commit.
   */
  async write(ready: Prepared[], stockActor?: { id: string; role: Role }): Promise<Written> {
    if (ready.length === 0) return { results: [], stockRequests: [] };
    const variants = variantsOf(ready);
    return this.db.transaction().execute(async (trx) => {
      const before = await this.statusesBeforeArchiving(trx, ready);
      const rows = await upsertBatch(trx, productsOf(ready, before), variants);
      const written = rows[0]?.variants_written ?? 0;
      const expected = rows.reduce((sum, r) => sum + ready[r.n]!.item.input.variants.length, 0);
      // A concurrent writer took a sku between prepare and write: the whole batch rolls back.
      if (written !== expected)
        throw conflict('A sku belongs to another seller', { skus: await taken(trx, ready) });
      const byN = new Map(rows.map((r) => [r.n, r]));
      // Another writer stored the same content since prepare: unchanged, reported with its id.
      const same = ready.filter((_, n) => !byN.has(n));
      const ids = same.length ? await storedIds(trx, same) : new Map<string, string>();
      const results = ready.map((p, n): WriteResult => {
        const row = byN.get(n);
        if (!row) return { line: p.item.line, outcome: 'unchanged', productId: ids.get(p.key) };
        p.document.id = row.id;
        return { line: p.item.line, productId: row.id, outcome: row.inserted ? 'created' : 'updated' };
      });
      const stockRequests = stockActor ? stockRequestsOf(ready, byN, stockActor) : [];
      await writeEvents(trx, stockRequests);
      return { results, stockRequests };
    });
  }

  /**
   * Only an archiving write needs the stored status (to tell `archived` from `updated`), so the lookup
   * runs for those alone; the lock makes the event type right under concurrent archiving.
   */
  private async statusesBeforeArchiving(trx: Kysely<CatalogDB>, ready: Prepared[]) {
    const archiving = ready.filter((p) => p.document.status === 'archived');
    if (archiving.length === 0) return new Map<string, ProductStatus>();
    const rows = await trx
      .selectFrom('products')
      .select(['seller_id', 'handle', 'status'])
      .where(bySellerHandle(archiving.map((p) => [p.item.sellerId, p.handle])))
      .forUpdate()
      .execute();
    return new Map(rows.map((r) => [keyOf(r.seller_id, r.handle), r.status as ProductStatus]));
  }
}

/**
 * One request per changed product that gives stock. Its time is taken after the upsert, which locks the
 * product's row until commit: a later write of the same product gets a later time (ADR 0607).
 */
function stockRequestsOf(
  ready: Prepared[],
  written: Map<number, { id: string }>,
  actor: { id: string; role: Role },
): DomainEvent<StockRequest>[] {
  const requestedAt = new Date().toISOString();
  return ready.flatMap((p, n) => {
    const row = written.get(n);
    const lines = p.item.input.variants.flatMap((v) =>
      v.stock === undefined ? [] : [{ sku: v.sku, onHand: v.stock }],
    );
    if (!row || lines.length === 0) return [];
    const data = { actor: { id: actor.id, role: actor.role }, sellerId: p.item.sellerId, requestedAt, lines };
    return [StockRequested.create(row.id, data)];
  });
}

async function storedIds(trx: Kysely<CatalogDB>, products: Prepared[]): Promise<Map<string, string>> {
  const rows = await trx
    .selectFrom('products')
    .select(['id', 'seller_id', 'handle'])
    .where(bySellerHandle(products.map((p) => [p.item.sellerId, p.handle])))
    .execute();
  return new Map(rows.map((r) => [keyOf(r.seller_id, r.handle), r.id]));
}

function conflictsOf(
  item: WriteItem,
  handle: string,
  key: string,
  stored: StoredState,
  claimed: Map<string, string>,
  keys: Set<string>,
): FieldError[] {
  const errors: FieldError[] = [];
  item.input.variants.forEach((v, i) => {
    const owner = stored.owners.get(v.sku);
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
  return errors;
}

export function productsOf(ready: Prepared[], before: Map<string, ProductStatus>): BatchProduct[] {
  return ready.map((p, n) => ({
    n,
    id: p.id,
    event_id: newId(),
    seller_id: p.item.sellerId,
    handle: p.handle,
    brand_id: p.brandId,
    category_id: p.categoryId,
    rating: p.item.rating?.average ?? 0,
    rating_count: p.item.rating?.count ?? 0,
    hash: p.hash,
    before_status: before.get(p.key) ?? null,
    doc: p.document,
  }));
}

export function variantsOf(ready: Prepared[]): BatchVariant[] {
  return ready.flatMap((p, n) =>
    p.item.input.variants.map((v, position) => ({
      n,
      sku: v.sku,
      title: v.title ?? null,
      amount: v.price.amount,
      currency: v.price.currency,
      attributes: v.attributes ?? {},
      position,
    })),
  );
}

/** The batch's skus that another seller holds now (for the 409 after a lost race). */
async function taken(trx: Kysely<CatalogDB>, ready: Prepared[]): Promise<string[]> {
  const owner = new Map(ready.flatMap((p) => p.item.input.variants.map((v) => [v.sku, p.item.sellerId])));
  const rows = await trx
    .selectFrom('variants')
    .select(['sku', 'seller_id'])
    .where('sku', '=', sql<string>`any(${[...owner.keys()]}::text[])`)
    .execute();
  return rows.filter((r) => owner.get(r.sku) !== r.seller_id).map((r) => r.sku);
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
