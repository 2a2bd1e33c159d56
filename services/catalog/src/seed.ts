import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DEMO_SELLERS, newId } from '@emporium/platform';
import type { Catalog } from './catalog.ts';
import { colourOf, placeholderImage, storeImage } from './images.ts';
import type { BlobStore } from './blob-store.ts';
import { titleCase } from './taxonomy.ts';
import type { WriteItem } from './writer.ts';

/** The seller of each department below (index into DEMO_SELLERS); their accounts come from the users seed. */
const DEPARTMENTS: Record<string, string[]> = {
  Beauty: ['beauty', 'fragrances', 'skin-care'],
  Home: ['furniture', 'home-decoration', 'kitchen-accessories'],
  Groceries: ['groceries'],
  Electronics: ['laptops', 'mobile-accessories', 'smartphones', 'tablets'],
  Fashion: [
    'mens-shirts',
    'mens-shoes',
    'mens-watches',
    'sunglasses',
    'tops',
    'womens-bags',
    'womens-dresses',
    'womens-jewellery',
    'womens-shoes',
    'womens-watches',
  ],
  'Sports & Outdoors': ['sports-accessories'],
  Vehicles: ['motorcycle', 'vehicle'],
};
const SELLER_OF_DEPARTMENT = [1, 1, 0, 3, 2, 2, 0];
/** Source categories whose own name reads badly under their department ("Beauty/Beauty"). */
const CATEGORY_NAMES: Record<string, string> = { beauty: 'Makeup' };
/** A demo product nobody can buy looks like a broken store; the source data has a few at zero. */
const MIN_DEMO_STOCK = 5;

interface DummyProduct {
  id: number;
  title: string;
  description: string;
  category: string;
  price: number;
  rating: number;
  stock: number;
  brand?: string;
  sku: string;
  weight?: number;
  tags?: string[];
  warrantyInformation?: string;
  shippingInformation?: string;
  returnPolicy?: string;
  minimumOrderQuantity?: number;
  dimensions?: { width: number; height: number; depth: number };
  reviews?: { rating: number; comment: string; date: string; reviewerName: string }[];
}

const dataFile = new URL('../data/dummyjson/products.json', import.meta.url);

function departmentOf(category: string): [string, number] {
  const names = Object.keys(DEPARTMENTS);
  const index = names.findIndex((d) => DEPARTMENTS[d]!.includes(category));
  return [names[index] ?? 'Other', index < 0 ? 0 : index];
}

function itemOf(p: DummyProduct): { item: WriteItem; reviews: DummyProduct['reviews'] } {
  const [department, index] = departmentOf(p.category);
  const seller = DEMO_SELLERS[SELLER_OF_DEPARTMENT[index] ?? 0]!;
  const attributes: Record<string, string> = {};
  if (p.weight !== undefined) attributes.weight = `${p.weight} kg`;
  if (p.dimensions)
    attributes.dimensions = `${p.dimensions.width} × ${p.dimensions.height} × ${p.dimensions.depth} cm`;
  if (p.warrantyInformation) attributes.warranty = p.warrantyInformation;
  if (p.shippingInformation) attributes.shipping = p.shippingInformation;
  if (p.returnPolicy) attributes.returns = p.returnPolicy;
  if (p.minimumOrderQuantity) attributes.minimumOrder = String(p.minimumOrderQuantity);
  if (p.tags?.length) attributes.tags = p.tags.join(', ');
  const reviews = p.reviews ?? [];
  return {
    reviews,
    item: {
      line: p.id,
      sellerId: seller.id,
      rating: { average: Math.round(p.rating * 100) / 100, count: reviews.length },
      input: {
        title: p.title,
        description: p.description,
        brand: p.brand ?? null,
        category: `${department}/${CATEGORY_NAMES[p.category] ?? titleCase(p.category.replace(/-/g, ' '))}`,
        attributes,
        status: 'active',
        handle: p.sku,
        variants: [
          {
            sku: p.sku,
            price: { amount: Math.round(p.price * 100), currency: 'USD' },
            attributes: {},
            stock: Math.max(p.stock, MIN_DEMO_STOCK),
          },
        ],
      },
    },
  };
}

/** Seeds the demo catalog once: only when the catalog is empty. Returns how many products it wrote. */
export async function seedDemoCatalog(catalog: Catalog, logger: Logger): Promise<number> {
  const any = await catalog.queries.anyProduct();
  if (any) return 0;
  const products = JSON.parse(await readFile(dataFile, 'utf8')) as DummyProduct[];
  const entries = products.map(itemOf);
  const byLine = new Map(entries.map((e) => [e.item.line, e]));
  const actor = { id: 'catalog-seed', role: 'admin' as const };
  // The tree first, as an admin builds it; the products then pick from it like any seller's.
  await catalog.taxonomy.ensurePaths([...new Set(entries.map((e) => e.item.input.category))]);
  const results = await catalog.writeBatch(
    actor,
    entries.map((e) => e.item),
  );
  const reviews = results.flatMap((r) =>
    r.outcome === 'created' && r.productId
      ? (byLine.get(r.line)?.reviews ?? []).map((v) => ({
          id: newId(),
          product_id: r.productId!,
          rating: Math.min(5, Math.max(1, Math.round(v.rating))),
          comment: v.comment,
          reviewer_name: v.reviewerName,
          created_at: v.date,
        }))
      : [],
  );
  await catalog.queries.insertReviews(reviews);
  const written = results.filter((r) => r.outcome === 'created').length;
  logger.info({ products: written }, 'seeded the demo catalog');
  return written;
}

/** Draws a placeholder picture for every product without one (runs in the background after start). */
export async function drawPlaceholderImages(
  catalog: Catalog,
  blobs: BlobStore,
  shouldStop: () => boolean,
): Promise<number> {
  let drawn = 0;
  for (const product of await catalog.queries.productsWithoutImage(500)) {
    if (shouldStop()) break;
    const png = await placeholderImage(product.title, colourOf(product.category_path.split('/')[0] ?? ''));
    await catalog.attachImage(product.id, await storeImage(blobs, png));
    drawn++;
  }
  return drawn;
}
