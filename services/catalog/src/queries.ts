import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { CatalogDB } from './schema.ts';
import type {
  CategoryNode,
  ListingItem,
  ProductDocument,
  ProductStatus,
  ProductSummary,
  SortOrder,
  Variant,
  VariantSummary,
} from './types.ts';

const imageUrl = (key: string, size: 'listing' | 'detail' | 'original') =>
  size === 'original' ? `/api/v1/images/${key}` : `/api/v1/images/${key.replace(/\.\w+$/, '')}-${size}.webp`;
export { imageUrl };

export interface ProductRow {
  id: string;
  seller_id: string;
  handle: string;
  title: string;
  description: string;
  brand: string | null;
  category_id: string;
  category_path: string;
  attributes: unknown;
  status: string;
  min_price: number;
  currency: string;
  image: string | null;
  rating: number;
  rating_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/** Read-side queries of the catalog schema. */
export class CatalogQueries {
  constructor(private readonly db: Kysely<CatalogDB>) {}

  private productBase() {
    return this.db
      .selectFrom('products as p')
      .innerJoin('categories as c', 'c.id', 'p.category_id')
      .leftJoin('brands as b', 'b.id', 'p.brand_id')
      .select([
        'p.id',
        'p.seller_id',
        'p.handle',
        'p.title',
        'p.description',
        'b.name as brand',
        'p.category_id',
        'c.path as category_path',
        'p.attributes',
        'p.status',
        'p.min_price',
        'p.currency',
        'p.image',
        'p.rating',
        'p.rating_count',
        'p.version',
        'p.created_at',
        'p.updated_at',
      ]);
  }

  async product(id: string): Promise<ProductRow | undefined> {
    return this.productBase().where('p.id', '=', id).executeTakeFirst() as Promise<ProductRow | undefined>;
  }

  async products(ids: string[]): Promise<ProductRow[]> {
    if (ids.length === 0) return [];
    return this.productBase().where('p.id', 'in', ids).execute() as Promise<ProductRow[]>;
  }

  async variants(productIds: string[]): Promise<Map<string, Variant[]>> {
    const out = new Map<string, Variant[]>();
    if (productIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('variants')
      .selectAll()
      .where('product_id', 'in', productIds)
      .orderBy('product_id')
      .orderBy('position')
      .execute();
    for (const r of rows) {
      const list = out.get(r.product_id) ?? [];
      list.push({
        sku: r.sku,
        title: r.title,
        price: { amount: Number(r.price_amount), currency: r.currency },
        attributes: (r.attributes ?? {}) as Record<string, string>,
      });
      out.set(r.product_id, list);
    }
    return out;
  }

  async images(productId: string) {
    return this.db
      .selectFrom('images')
      .select(['key', 'width', 'height'])
      .where('product_id', '=', productId)
      .orderBy('position')
      .execute();
  }

  async variantSummaries(skus: string[]): Promise<VariantSummary[]> {
    if (skus.length === 0) return [];
    const rows = await this.db
      .selectFrom('variants as v')
      .innerJoin('products as p', 'p.id', 'v.product_id')
      .select([
        'v.sku',
        'v.product_id',
        'v.seller_id',
        'p.title',
        'v.title as variant_title',
        'v.price_amount',
        'v.currency',
        'p.status',
        'p.image',
      ])
      .where('v.sku', 'in', skus)
      .execute();
    return rows.map((r) => ({
      sku: r.sku,
      productId: r.product_id,
      sellerId: r.seller_id,
      title: r.title,
      ...(r.variant_title ? { variantTitle: r.variant_title } : {}),
      price: { amount: Number(r.price_amount), currency: r.currency },
      status: r.status as ProductStatus,
      ...(r.image ? { image: imageUrl(r.image, 'listing') } : {}),
    }));
  }

  async categoryNames(paths: string[]): Promise<Map<string, string[]>> {
    const prefixes = new Set<string>();
    for (const path of paths) {
      const parts = path.split('/');
      parts.forEach((_, i) => prefixes.add(parts.slice(0, i + 1).join('/')));
    }
    if (prefixes.size === 0) return new Map();
    const rows = await this.db
      .selectFrom('categories')
      .select(['path', 'name'])
      .where('path', 'in', [...prefixes])
      .execute();
    const nameOf = new Map(rows.map((r) => [r.path, r.name]));
    return new Map(
      paths.map((path) => {
        const parts = path.split('/');
        return [path, parts.map((_, i) => nameOf.get(parts.slice(0, i + 1).join('/')) ?? '')];
      }),
    );
  }

  async documents(rows: ProductRow[]): Promise<ProductDocument[]> {
    const variants = await this.variants(rows.map((r) => r.id));
    const names = await this.categoryNames([...new Set(rows.map((r) => r.category_path))]);
    return rows.map((r) => toDocument(r, names.get(r.category_path) ?? [], variants.get(r.id) ?? []));
  }

  async summaries(ids: string[]): Promise<ProductSummary[]> {
    const docs = await this.documents(await this.products(ids));
    return docs.map(({ description: _d, attributes: _a, createdAt: _c, ...summary }) => summary);
  }

  /** Every product in id order, for a full search reindex. */
  async allDocuments(cursor: string | undefined, limit: number) {
    let query = this.productBase()
      .orderBy('p.id')
      .limit(limit + 1);
    if (cursor) query = query.where('p.id', '>', cursor);
    const rows = (await query.execute()) as ProductRow[];
    const page = rows.slice(0, limit);
    return {
      items: await this.documents(page),
      nextCursor: rows.length > limit ? page.at(-1)?.id : undefined,
    };
  }

  async listing(filter: ListingFilter): Promise<{ items: ListingItem[]; next?: ListingKey }> {
    const { column, direction } = SORTS[filter.sort];
    let query = this.db
      .selectFrom('products as p')
      .leftJoin('brands as b', 'b.id', 'p.brand_id')
      .select([
        'p.id',
        'p.title',
        'b.name as brand',
        'p.min_price',
        'p.currency',
        'p.rating',
        'p.rating_count',
        'p.image',
        'p.seller_id',
        'p.status',
        'p.created_at',
        sql<string>`${sql.ref(`p.${column}`)}::text`.as('sort_key'),
      ])
      .orderBy(`p.${column}`, direction)
      .orderBy('p.id', direction)
      .limit(filter.perPage + 1);
    query = filtered(query, filter);
    if (filter.after) {
      const op = direction === 'asc' ? sql.raw('>') : sql.raw('<');
      const cast = column === 'created_at' ? sql.raw('timestamptz') : sql.raw('numeric');
      query = query.where(
        sql<boolean>`(${sql.ref(`p.${column}`)}, p.id) ${op} (${filter.after.key}::${cast}, ${filter.after.id}::uuid)`,
      );
    }
    const rows = await query.execute();
    const page = rows.slice(0, filter.perPage);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.id,
        title: r.title,
        brand: r.brand,
        price: { amount: Number(r.min_price), currency: r.currency },
        rating: Number(r.rating),
        ratingCount: r.rating_count,
        ...(r.image ? { image: imageUrl(r.image, 'listing') } : {}),
        sellerId: r.seller_id,
        status: r.status as ProductStatus,
        createdAt: new Date(r.created_at).toISOString(),
      })),
      next: rows.length > filter.perPage && last ? { key: last.sort_key, id: last.id } : undefined,
    };
  }

  /** How many products the filter matches (every page of a listing answers it). */
  async count(filter: ListingFilter): Promise<number> {
    const row = await filtered(
      this.db.selectFrom('products as p').select((eb) => eb.fn.countAll<string>().as('n')),
      filter,
    ).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Products whose stock inventory has not told yet, with their skus (the in-stock backfill). */
  async unknownStock(limit: number): Promise<{ productId: string; skus: string[] }[]> {
    const rows = await this.db
      .selectFrom('products as p')
      .innerJoin('variants as v', 'v.product_id', 'p.id')
      .select(['p.id', 'v.sku'])
      .where('p.id', 'in', (eb) =>
        eb.selectFrom('products').select('id').where('in_stock', 'is', null).orderBy('id').limit(limit),
      )
      .execute();
    const byProduct = new Map<string, string[]>();
    for (const r of rows) byProduct.set(r.id, [...(byProduct.get(r.id) ?? []), r.sku]);
    return [...byProduct].map(([productId, skus]) => ({ productId, skus }));
  }

  /** The skus of the products these skus belong to, by product. */
  async siblingSkus(skus: string[]): Promise<{ productId: string; skus: string[] }[]> {
    if (skus.length === 0) return [];
    const rows = await this.db
      .selectFrom('variants')
      .select(['product_id', 'sku'])
      .where('product_id', 'in', (eb) =>
        eb.selectFrom('variants').select('product_id').where('sku', 'in', skus),
      )
      .execute();
    const byProduct = new Map<string, string[]>();
    for (const r of rows) byProduct.set(r.product_id, [...(byProduct.get(r.product_id) ?? []), r.sku]);
    return [...byProduct].map(([productId, list]) => ({ productId, skus: list }));
  }

  /** Sets the flag where it differs; answers how many products flipped. */
  async setInStock(productIds: string[], inStock: boolean): Promise<number> {
    if (productIds.length === 0) return 0;
    const result = await this.db
      .updateTable('products')
      .set({ in_stock: inStock })
      .where('id', 'in', productIds)
      .where(sql<boolean>`in_stock is distinct from ${inStock}`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async anyProduct(): Promise<boolean> {
    return (await this.db.selectFrom('products').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  async productsWithoutImage(limit: number) {
    return this.db
      .selectFrom('products as p')
      .innerJoin('categories as c', 'c.id', 'p.category_id')
      .select(['p.id', 'p.title', 'c.path as category_path'])
      .where('p.image', 'is', null)
      .orderBy('p.id')
      .limit(limit)
      .execute();
  }

  async insertReviews(
    rows: {
      id: string;
      product_id: string;
      rating: number;
      comment: string;
      reviewer_name: string;
      created_at: string;
    }[],
  ) {
    if (rows.length > 0) await this.db.insertInto('reviews').values(rows).execute();
  }

  async categoryTree(): Promise<CategoryNode[]> {
    const rows = await this.db
      .selectFrom('categories as c')
      .select(['c.id', 'c.parent_id', 'c.name', 'c.slug', 'c.path', 'c.depth'])
      .select((eb) =>
        eb
          .selectFrom('products as p')
          .whereRef('p.category_id', '=', 'c.id')
          .where('p.status', '=', 'active')
          .select(eb.fn.countAll<number>().as('n'))
          .as('direct'),
      )
      .where('c.retired_at', 'is', null)
      .orderBy('c.depth')
      .orderBy('c.name')
      .execute();
    const nodes = new Map<string, CategoryNode & { parent: string | null }>();
    for (const r of rows)
      nodes.set(r.id, {
        id: r.id,
        name: r.name,
        slug: r.slug,
        path: r.path,
        productCount: Number(r.direct ?? 0),
        children: [],
        parent: r.parent_id,
      });
    const roots: CategoryNode[] = [];
    for (const node of nodes.values()) (node.parent ? nodes.get(node.parent)?.children : roots)?.push(node);
    // Deepest first, so a parent's count includes all its descendants.
    for (const node of [...nodes.values()].reverse()) {
      const parent = node.parent ? nodes.get(node.parent) : undefined;
      if (parent) parent.productCount += node.productCount;
    }
    const strip = (n: CategoryNode & { parent?: string | null }): CategoryNode => ({
      id: n.id,
      name: n.name,
      slug: n.slug,
      path: n.path,
      productCount: n.productCount,
      children: n.children.map(strip),
    });
    return roots.map(strip);
  }
}

export interface ListingKey {
  key: string;
  id: string;
}

export interface ListingFilter {
  sort: SortOrder;
  perPage: number;
  status?: ProductStatus;
  sellerId?: string;
  categoryIds?: string[];
  /** true: products with a variant in stock; false: the others (including not yet known). */
  inStock?: boolean;
  after?: ListingKey;
}

/** The filters of a listing, shared by its page and its count. */
function filtered<Q extends SelectQueryBuilder<CatalogDB & { p: CatalogDB['products'] }, 'p', object>>(
  query: Q,
  filter: ListingFilter,
): Q {
  let q = query;
  if (filter.status) q = q.where('p.status', '=', filter.status) as Q;
  if (filter.sellerId) q = q.where('p.seller_id', '=', filter.sellerId) as Q;
  if (filter.categoryIds) q = q.where('p.category_id', 'in', filter.categoryIds) as Q;
  if (filter.inStock === true) q = q.where('p.in_stock', '=', true) as Q;
  if (filter.inStock === false)
    q = q.where((eb) => eb.or([eb('p.in_stock', '=', false), eb('p.in_stock', 'is', null)])) as Q;
  return q;
}

const SORTS: Record<
  SortOrder,
  { column: 'created_at' | 'min_price' | 'rating' | 'popularity'; direction: 'asc' | 'desc' }
> = {
  newest: { column: 'created_at', direction: 'desc' },
  price_asc: { column: 'min_price', direction: 'asc' },
  price_desc: { column: 'min_price', direction: 'desc' },
  rating: { column: 'rating', direction: 'desc' },
  bestselling: { column: 'popularity', direction: 'desc' },
};

export function toDocument(r: ProductRow, categoryPath: string[], variants: Variant[]): ProductDocument {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    brand: r.brand,
    categoryPath,
    attributes: (r.attributes ?? {}) as Record<string, string>,
    price: { amount: Number(r.min_price), currency: r.currency },
    rating: Number(r.rating),
    ratingCount: r.rating_count,
    sellerId: r.seller_id,
    status: r.status as ProductStatus,
    createdAt: new Date(r.created_at).toISOString(),
    ...(r.image ? { image: imageUrl(r.image, 'listing') } : {}),
    skus: variants.map((v) => v.sku),
  };
}
