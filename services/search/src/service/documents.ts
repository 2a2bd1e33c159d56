/** Maps the catalog's ProductDocument (the event payload) to what the engine indexes. */
import type { ProductDocument } from '@emporium/catalog';
import type { SearchDocument } from '../types.ts';

/** Only active products are searchable; drafts and archived ones are removed from the index. */
export function isSearchable(doc: ProductDocument): boolean {
  return doc.status === 'active';
}

export function toSearchDocument(
  doc: ProductDocument,
  version: number,
  stockOf: (sku: string) => boolean | undefined,
): SearchDocument {
  const known = doc.skus.map(stockOf);
  const skusInStock = doc.skus.filter((_s, i) => known[i] === true);
  return {
    id: doc.id,
    title: doc.title,
    description: doc.description,
    ...(doc.brand ? { brand: doc.brand } : {}),
    categoryPath: doc.categoryPath,
    attributes: doc.attributes,
    price: doc.price,
    rating: doc.rating,
    // Rating count stands in for popularity until the shop records views and orders.
    popularity: doc.ratingCount,
    createdAt: Date.parse(doc.createdAt),
    inStock: stockFlag(known),
    skus: doc.skus,
    skusInStock,
    version,
  };
}

/** In stock when any SKU is; unknown (absent from the stock facet) while no SKU's stock is known. */
export function stockFlag(known: (boolean | undefined)[]): boolean | undefined {
  if (known.some((k) => k === true)) return true;
  if (known.length > 0 && known.every((k) => k === false)) return false;
  return undefined;
}
