import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  validation,
  writeEvents,
  type DomainEvent,
  type FieldError,
} from '@emporium/platform';
import type { CatalogDB } from './schema.ts';
import { CatalogQueries, imageUrl, toDocument, type ProductRow } from './queries.ts';
import { Taxonomy } from './taxonomy.ts';
import { CategoryAdmin } from './category-admin.ts';
import { ProductWriter, type WriteItem, type WriteResult } from './writer.ts';
import { cacheKeys, type CatalogCache } from './cache.ts';
import type { AvailabilityCache } from './availability-cache.ts';
import { checkProduct } from './validate.ts';
import { storeImage } from './images.ts';
import type { BlobStore } from './blob-store.ts';
import type { InventoryPort, Role, StockRequest, StockRequestOutcome, UsersPort } from './ports.ts';
import type {
  Availability,
  CatalogApi,
  CategoryNode,
  ListQuery,
  ListingItem,
  ProductDetail,
  ProductDocument,
  ProductInput,
  ProductSummary,
  RequestedSort,
  SellerInfo,
  SortOrder,
  VariantSummary,
} from './types.ts';
import { AvailabilityChanged, ProductChanged } from './types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface Actor {
  id: string;
  role: Role;
}

/** What a change means to caches outside the catalog (the gateway's response cache). */
export interface CatalogChange {
  productIds: string[];
}
export type ChangeListener = (change: CatalogChange) => void | Promise<void>;

export interface CatalogDeps {
  db: Kysely<CatalogDB>;
  cache: CatalogCache;
  availability: AvailabilityCache;
  blobs: BlobStore;
  inventory?: InventoryPort;
  users?: UsersPort;
  logger: Logger;
  /** The store's currency (STORE_CURRENCY): import rows without a currency are priced in it. */
  storeCurrency: string;
  /** Called after a write commits, so the relay publishes at once. */
  afterCommit: () => void;
}

export type ProductWithAvailability = ProductDetail & {
  variants: (ProductDetail['variants'][number] & { availability?: Availability })[];
  availability?: { inStock: boolean; available: number };
};

const MAX_PER_PAGE = 100;
const STOCK_CONCURRENCY = 6;

/** The catalog's domain logic: seller writes, browse reads with cache-aside, and the CatalogApi. */
export class Catalog implements CatalogApi {
  readonly queries: CatalogQueries;
  readonly taxonomy: Taxonomy;
  readonly writer: ProductWriter;
  readonly storeCurrency: string;
  readonly categoryAdmin: CategoryAdmin;
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly deps: CatalogDeps) {
    this.queries = new CatalogQueries(deps.db);
    this.taxonomy = new Taxonomy(deps.db);
    this.writer = new ProductWriter(deps.db, this.taxonomy);
    this.storeCurrency = deps.storeCurrency;
    this.categoryAdmin = new CategoryAdmin(deps.db, this.taxonomy, () => this.treeChanged());
  }

  /** The tree changed (an admin): cached trees and listings here and in the gateway are stale. */
  private async treeChanged(): Promise<void> {
    await this.deps.cache.invalidate([]);
    await this.notify([]);
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Drops cached data of the products here and in every registered listener (the gateway). */
  async changed(productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.deps.cache.invalidate(productIds);
    await this.notify(productIds);
  }

  /**
   * Stock is not in the catalog's own caches but is in the gateway's cached product and listing pages:
   * listeners here hear at once, gateways in other processes through `catalog.availability.changed`.
   */
  async stockChanged(skus: string[]): Promise<void> {
    const byProduct = new Map<string, string[]>();
    for (const v of await this.getVariants(skus))
      byProduct.set(v.productId, [...(byProduct.get(v.productId) ?? []), v.sku]);
    if (byProduct.size === 0) return;
    const events = [...byProduct].map(([id, own]) => AvailabilityChanged.create(id, { skus: own }));
    await this.deps.db.transaction().execute((trx) => writeEvents(trx, events));
    this.deps.afterCommit();
    await this.notify([...byProduct.keys()]);
  }

  private async notify(productIds: string[]): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener({ productIds });
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'catalog change listener failed');
      }
    }
  }

  // ---- writes -------------------------------------------------------------------------------------

  /**
   * Writes a batch for one seller: checks sku ownership, registers new skus with inventory, upserts in
   * one transaction (with the stock requests in the outbox), then after commit invalidates caches and
   * hands the stock to inventory at once, so the answer already shows it.
   */
  async writeBatch(
    actor: Actor,
    items: WriteItem[],
    options: { forwardStock?: boolean; createCategories?: boolean } = {},
  ): Promise<WriteResult[]> {
    const { ready, failed, unchanged } = await this.writer.prepare(items, {
      createCategories: options.createCategories,
    });
    const registered = await this.registerSkus(ready, failed);
    const stockActor = options.forwardStock === false || !this.deps.inventory ? undefined : actor;
    const { results, stockRequests } = await this.writer.write(registered, stockActor);
    const changedIds = results
      .filter((r) => r.outcome !== 'unchanged' && r.productId)
      .map((r) => r.productId!);
    if (changedIds.length > 0) {
      this.deps.afterCommit();
      await this.changed(changedIds);
      await this.forwardStock(stockRequests);
    }
    return [...results, ...unchanged, ...failed].sort((a, b) => a.line - b.line);
  }

  private async registerSkus<T extends { item: WriteItem }>(ready: T[], failed: WriteResult[]): Promise<T[]> {
    const inventory = this.deps.inventory;
    if (!inventory || ready.length === 0) return ready;
    const skusOf = (p: T) => p.item.input.variants.map((v) => ({ sku: v.sku, sellerId: p.item.sellerId }));
    try {
      await inventory.registerSkus(ready.flatMap(skusOf));
      return ready;
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'Conflict') throw error;
    }
    // One sku of the batch is another seller's in inventory: find which, product by product.
    const ok: T[] = [];
    for (const p of ready) {
      try {
        await inventory.registerSkus(skusOf(p));
        ok.push(p);
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'Conflict') throw error;
        failed.push({
          line: p.item.line,
          errors: [{ field: 'variants', message: `inventory refused a sku: ${error.message}` }],
        });
      }
    }
    return ok;
  }

  /**
   * The fast path of the committed stock requests: inventory applies each at once, a few at a time. The
   * outbox holds the same requests, so an inventory that is down, or a process that stops here, delays
   * the stock instead of losing it; inventory applies each request id once, whichever path comes first.
   */
  private async forwardStock(requests: DomainEvent<StockRequest>[]): Promise<void> {
    const inventory = this.deps.inventory;
    if (!inventory || requests.length === 0) return;
    const queue = [...requests];
    const refused: StockRequestOutcome['refused'] = [];
    const worker = async () => {
      for (let request = queue.pop(); request; request = queue.pop()) {
        const outcome = await this.sendStock(inventory, request);
        if (outcome) refused.push(...outcome.refused);
        this.deps.availability.invalidate(request.data.lines.map((l) => l.sku));
      }
    };
    await Promise.all(Array.from({ length: STOCK_CONCURRENCY }, worker));
    // As setStock answered before the outbox: a refusal is final (say, stock below what open orders hold).
    if (refused.length > 0)
      throw conflict(`Inventory refused stock for ${refused.map((r) => r.sku).join(', ')}`, { refused });
  }

  /** Undefined when inventory could not be reached: the request's event will deliver it. */
  private async sendStock(
    inventory: InventoryPort,
    request: DomainEvent<StockRequest>,
  ): Promise<StockRequestOutcome | undefined> {
    try {
      return await inventory.applyStockRequest(request);
    } catch (error) {
      if (error instanceof AppError && error.kind !== 'Unavailable') throw error;
      this.deps.logger.warn(
        { err: error, eventId: request.id },
        'inventory unreachable; stock follows by event',
      );
      return undefined;
    }
  }

  async createProduct(actor: Actor, body: unknown): Promise<{ product: ProductDetail; created: boolean }> {
    const checked = checkProduct(body);
    if (!checked.ok) throw validation('The product is not valid', checked.errors);
    const [result] = await this.writeBatch(actor, [{ line: 1, sellerId: actor.id, input: checked.value }]);
    const productId = throwIfFailed(result);
    return { product: await this.ownDetail(actor, productId), created: result?.outcome === 'created' };
  }

  async updateProduct(actor: Actor, id: string, patch: Record<string, unknown>): Promise<ProductDetail> {
    const row = await this.owned(actor, id);
    const current = await this.inputOf(row);
    const checked = checkProduct({ ...current, ...patch, handle: row.handle }, true);
    if (!checked.ok) throw validation('The product is not valid', checked.errors);
    const result = (
      await this.writeBatch(actor, [
        { line: 1, sellerId: row.seller_id, input: checked.value, storedCategoryId: row.category_id },
      ])
    )[0];
    throwIfFailed(result);
    return this.ownDetail(actor, id);
  }

  async archiveProduct(actor: Actor, id: string): Promise<void> {
    await this.updateProduct(actor, id, { status: 'archived' });
  }

  async addImage(actor: Actor, productId: string, data: Buffer): Promise<ProductDetail> {
    await this.owned(actor, productId);
    const image = await storeImage(this.deps.blobs, data);
    await this.attachImage(productId, image);
    return this.ownDetail(actor, productId);
  }

  /** Adds an image row and, in the same transaction, the product's one updated event. */
  async attachImage(productId: string, image: { key: string; width: number; height: number }): Promise<void> {
    const attached = await this.deps.db.transaction().execute(async (trx) => {
      const product = await trx
        .selectFrom('products')
        .select(['id', 'image'])
        .where('id', '=', productId)
        .forUpdate()
        .executeTakeFirst();
      if (!product) throw notFound('Product');
      const { n } = await trx
        .selectFrom('images')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('product_id', '=', productId)
        .executeTakeFirstOrThrow();
      const inserted = await trx
        .insertInto('images')
        .values({
          product_id: productId,
          key: image.key,
          position: Number(n),
          width: image.width,
          height: image.height,
        })
        .onConflict((oc) => oc.columns(['product_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!inserted) return false;
      await trx
        .updateTable('products')
        .set((eb) => ({
          image: product.image ?? image.key,
          version: eb('version', '+', 1),
          updated_at: new Date().toISOString(),
        }))
        .where('id', '=', productId)
        .execute();
      const row = (await this.queriesIn(trx).product(productId))!;
      const [doc] = await this.queriesIn(trx).documents([row]);
      await writeEvents(trx, [ProductChanged.create(productId, doc!, 'catalog.product.updated')]);
      return true;
    });
    if (attached) {
      this.deps.afterCommit();
      await this.changed([productId]);
    }
  }

  private queriesIn(trx: Kysely<CatalogDB>) {
    return new CatalogQueries(trx);
  }

  /** The product if the actor may change it: another seller's draft is hidden (404), the rest forbidden. */
  async owned(actor: Actor, id: string): Promise<ProductRow> {
    const row = await this.queries.product(id);
    if (!row) throw notFound('Product');
    if (actor.role === 'admin' || row.seller_id === actor.id) return row;
    if (row.status === 'draft') throw notFound('Product');
    throw forbidden('This product belongs to another seller');
  }

  private async inputOf(row: ProductRow): Promise<ProductInput> {
    const variants = (await this.queries.variants([row.id])).get(row.id) ?? [];
    return {
      title: row.title,
      description: row.description,
      brand: row.brand,
      category: row.category_id,
      attributes: (row.attributes ?? {}) as Record<string, string>,
      status: row.status as ProductInput['status'],
      variants: variants.map((v) => ({
        sku: v.sku,
        ...(v.title ? { title: v.title } : {}),
        price: v.price,
        attributes: v.attributes,
      })),
    };
  }

  // ---- reads --------------------------------------------------------------------------------------

  async ownDetail(actor: Actor, id: string): Promise<ProductDetail> {
    await this.owned(actor, id);
    const detail = await this.loadDetail(id);
    if (!detail) throw notFound('Product');
    return detail;
  }

  /** The public product page: active products for everyone, any status for its seller and admins. */
  async productDetail(id: string, viewer?: Actor): Promise<ProductWithAvailability> {
    const cached = await this.deps.cache.getOrLoad('detail', cacheKeys.detail(id), async () => {
      const detail = await this.loadDetail(id);
      return detail?.status === 'active' ? detail : undefined;
    });
    let detail: ProductDetail | undefined = cached;
    if (!detail && viewer) {
      const row = await this.queries.product(id);
      if (row && (viewer.role === 'admin' || row.seller_id === viewer.id)) detail = await this.loadDetail(id);
    }
    if (!detail) throw notFound('Product');
    return this.withAvailability(detail);
  }

  private async withAvailability(detail: ProductDetail): Promise<ProductWithAvailability> {
    const inventory = this.deps.inventory;
    if (!inventory) return detail;
    const stock = await this.deps.availability.get(
      detail.variants.map((v) => v.sku),
      (skus) => inventory.getAvailability(skus),
    );
    const variants = detail.variants.map((v) => ({
      ...v,
      availability: stock[v.sku] ?? { available: 0, inStock: false },
    }));
    const available = variants.reduce((sum, v) => sum + v.availability.available, 0);
    return { ...detail, variants, availability: { available, inStock: available > 0 } };
  }

  async loadDetail(id: string): Promise<ProductDetail | undefined> {
    const row = await this.queries.product(id);
    if (!row) return undefined;
    const [variants, images, breadcrumbs, seller] = await Promise.all([
      this.queries.variants([id]),
      this.queries.images(id),
      this.taxonomy.breadcrumbs(row.category_path),
      this.seller(row.seller_id),
    ]);
    const category = breadcrumbs.at(-1) ?? { id: row.category_id, name: '', path: row.category_path };
    return {
      id: row.id,
      handle: row.handle,
      title: row.title,
      description: row.description,
      brand: row.brand,
      category,
      breadcrumbs,
      attributes: (row.attributes ?? {}) as Record<string, string>,
      status: row.status as ProductDetail['status'],
      price: { amount: Number(row.min_price), currency: row.currency },
      rating: { average: Number(row.rating), count: row.rating_count },
      seller,
      images: images.map((i) => ({
        key: i.key,
        url: imageUrl(i.key, 'original'),
        listingUrl: imageUrl(i.key, 'listing'),
        detailUrl: imageUrl(i.key, 'detail'),
      })),
      variants: variants.get(id) ?? [],
      version: row.version,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  private async seller(id: string): Promise<SellerInfo> {
    if (!this.deps.users) return { id };
    try {
      const [profile] = await this.deps.users.getSellers([id]);
      return profile
        ? {
            id,
            storeName: profile.storeName,
            slug: profile.slug,
            ...(profile.rating !== undefined ? { rating: profile.rating } : {}),
          }
        : { id };
    } catch (error) {
      // The page still renders without the store name; the seller id is enough to link it.
      this.deps.logger.warn({ err: error }, 'seller profile unavailable');
      return { id };
    }
  }

  async listProducts(
    query: ListQuery,
    publicOnly = true,
  ): Promise<{ items: ListingItem[]; total: number; nextCursor?: string; perPage: number }> {
    const sort = sortOf(query.sort);
    const perPage = Math.min(Math.max(query.perPage ?? 24, 1), MAX_PER_PAGE);
    const after = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
    // Before the cache: an unknown category is a 400 naming the closest ones, never an empty page.
    const categoryIds = query.category ? await this.taxonomy.descendantIds(query.category) : undefined;
    const load = async () => {
      const filter = {
        sort,
        perPage,
        after,
        categoryIds,
        sellerId: query.seller,
        inStock: query.inStock,
        status: publicOnly ? ('active' as const) : query.status,
      };
      const [page, total] = await Promise.all([this.queries.listing(filter), this.queries.count(filter)]);
      return {
        items: page.items,
        total,
        perPage,
        ...(page.next ? { nextCursor: encodeCursor(sort, page.next) } : {}),
      };
    };
    if (!publicOnly) return load();
    const key = cacheKeys.listing({
      c: categoryIds ? query.category : undefined,
      s: query.seller,
      i: query.inStock,
      o: sort,
      a: query.cursor,
      n: perPage,
    });
    return (await this.deps.cache.getOrLoad('listing', key, load))!;
  }

  /**
   * Records which products can be bought now, as inventory answers for all of their skus (a stock event
   * names one sku; its product is in stock if any of its variants is). Read again rather than taken
   * from the event, so events that arrive out of order still end with inventory's latest word.
   */
  async recordStock(skus: string[]): Promise<void> {
    const inventory = this.deps.inventory;
    if (!inventory || skus.length === 0) return;
    const products = await this.queries.siblingSkus(skus);
    await this.recordAvailability(inventory, products);
  }

  /** Fills in the in-stock flag of products inventory has not told about yet (after an upgrade). */
  async backfillStock(shouldStop: () => boolean, batch = 500): Promise<number> {
    const inventory = this.deps.inventory;
    if (!inventory) return 0;
    let done = 0;
    while (!shouldStop()) {
      const products = await this.queries.unknownStock(batch);
      if (products.length === 0) break;
      await this.recordAvailability(inventory, products);
      done += products.length;
    }
    return done;
  }

  private async recordAvailability(
    inventory: InventoryPort,
    products: { productId: string; skus: string[] }[],
  ) {
    if (products.length === 0) return;
    const stock = await inventory.getAvailability(products.flatMap((p) => p.skus));
    const inStock = (p: { skus: string[] }) => p.skus.some((sku) => stock[sku]?.inStock === true);
    const flipped =
      (await this.queries.setInStock(
        products.filter(inStock).map((p) => p.productId),
        true,
      )) +
      (await this.queries.setInStock(
        products.filter((p) => !inStock(p)).map((p) => p.productId),
        false,
      ));
    // Only a product that came into or went out of stock changes an `inStock` listing.
    if (flipped > 0) await this.deps.cache.invalidate([]);
  }

  async categories(): Promise<CategoryNode[]> {
    return (
      (await this.deps.cache.getOrLoad('categories', cacheKeys.categories, () =>
        this.queries.categoryTree(),
      )) ?? []
    );
  }

  // ---- CatalogApi ---------------------------------------------------------------------------------

  getVariants(skus: string[]): Promise<VariantSummary[]> {
    return this.queries.variantSummaries([...new Set(skus)]);
  }

  getProducts(ids: string[]): Promise<ProductSummary[]> {
    return this.queries.summaries([...new Set(ids)]);
  }

  listAllProducts(cursor?: string, limit = 500): Promise<{ items: ProductDocument[]; nextCursor?: string }> {
    return this.queries.allDocuments(cursor, Math.min(Math.max(limit, 1), 5000));
  }
}

/** The listing sort a request names; `relevance` belongs to search, which has a query to rank by. */
function sortOf(requested: RequestedSort | undefined): SortOrder {
  if (requested === 'relevance')
    throw validation('Browse has no relevance order', [
      { field: 'sort', message: 'relevance needs a query: use GET /api/v1/search?q=...' },
    ]);
  if (requested === 'price') return 'price_asc';
  return requested ?? 'newest';
}

function throwIfFailed(result: WriteResult | undefined): string {
  if (!result) throw new AppError('Unavailable', 'The write returned no result');
  if (result.errors) {
    const skuTaken = result.errors.some(
      (e: FieldError) =>
        e.message.includes('belongs to another') || e.message.startsWith('inventory refused'),
    );
    if (skuTaken) throw conflict('A sku is already used', { fields: result.errors });
    throw validation('The product is not valid', result.errors);
  }
  if (!result.productId) throw notFound('Product');
  return result.productId;
}

export { toDocument };

/**
 * The public URL prefixes whose cached responses a change makes stale (for the gateway's response
 * cache); past a few products one prefix is cheaper than many.
 */
export function stalePathPrefixes(change: CatalogChange): string[] {
  const products =
    change.productIds.length > 20
      ? ['/api/v1/products']
      : ['/api/v1/products?', ...change.productIds.map((id) => `/api/v1/products/${id}`)];
  return [...products, '/api/v1/categories'];
}
