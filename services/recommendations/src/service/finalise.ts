// The last step of every strategy: one batched hydration from the catalog (products not cached), one
// batched stock check, the filters that must never fail (inactive, out of stock, excluded) and a
// category-diverse ordering.
import type { ProductSummary } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';
import type { Catalogue } from './catalogue.ts';
import type { ProductCache } from './product-cache.ts';
import type { RecommendedItem } from './types.ts';

export interface Candidate {
  id: string;
  score: number;
}

export interface FinaliseInput {
  /** The strategy's candidates, best first. */
  primary: Candidate[];
  /** Trending or top-rated candidates that fill the list when filters leave the primary short. */
  fallback: Candidate[];
  exclude: ReadonlySet<string>;
  limit: number;
  /** The product being viewed, whose department gets a small boost. */
  anchor?: string;
}

export interface Finalised {
  item: RecommendedItem;
  tier: 0 | 1;
}

interface Deps {
  products: ProductCache;
  inventory: Pick<InventoryApi, 'getAvailability'>;
  catalogue: Catalogue;
}

/** Each earlier pick in the same category multiplies a candidate's value by this. */
const SAME_CATEGORY = 0.7;
const SAME_DEPARTMENT_AS_ANCHOR = 1.15;

export async function finalise(deps: Deps, input: FinaliseInput): Promise<Finalised[]> {
  const seen = new Set<string>(input.exclude);
  const tiers: Candidate[][] = [input.primary, input.fallback].map((list) =>
    list.filter((c) => !seen.has(c.id) && (seen.add(c.id), true)),
  );
  const ids = tiers.flat().map((c) => c.id);
  if (ids.length === 0) return [];
  const products = new Map<string, ProductSummary>();
  for (const p of (await deps.products.get(ids)).values()) if (p.status === 'active') products.set(p.id, p);
  const skus = [...products.values()].flatMap((p) => p.skus);
  const stock = skus.length > 0 ? await deps.inventory.getAvailability(skus) : {};
  const sellable = (c: Candidate) => {
    const p = products.get(c.id);
    return p !== undefined && p.skus.some((sku) => stock[sku]?.inStock === true);
  };
  const anchorDept = input.anchor ? deps.catalogue.get(input.anchor)?.categoryPath[0] : undefined;
  const out: Finalised[] = [];
  const picked = new Map<string, number>();
  // greedy picks come out in non-increasing value; the fallback tier is scaled below the last primary pick
  let ceiling = 1;
  tiers.forEach((tier, t) => {
    const scale = t === 0 ? 1 : ceiling * 0.99;
    // the category key and the fixed part of each value are computed once, not once per pick
    const open = tier.filter(sellable).map((c) => {
      const p = products.get(c.id)!;
      const boost =
        anchorDept !== undefined && p.categoryPath[0] === anchorDept ? SAME_DEPARTMENT_AS_ANCHOR : 1;
      return { p, score: c.score, base: c.score * boost, category: p.categoryPath.join('/') };
    });
    const max = Math.max(...open.map((o) => o.score), Number.MIN_VALUE);
    while (out.length < input.limit && open.length > 0) {
      let best = 0;
      let bestValue = -Infinity;
      for (let i = 0; i < open.length; i++) {
        const o = open[i]!;
        const v = (o.base / max) * SAME_CATEGORY ** (picked.get(o.category) ?? 0);
        if (v > bestValue) [best, bestValue] = [i, v];
      }
      const [o] = open.splice(best, 1);
      picked.set(o!.category, (picked.get(o!.category) ?? 0) + 1);
      out.push({ item: hydrate(o!.p, bestValue * scale), tier: t as 0 | 1 });
      if (t === 0) ceiling = bestValue;
    }
  });
  return out;
}

function hydrate(p: ProductSummary, score: number): RecommendedItem {
  return {
    id: p.id,
    title: p.title,
    brand: p.brand,
    categoryPath: p.categoryPath,
    price: p.price,
    rating: p.rating,
    ratingCount: p.ratingCount,
    ...(p.image ? { image: p.image } : {}),
    score: Math.round(bestFinite(score) * 10_000) / 10_000,
  };
}

const bestFinite = (x: number) => (Number.isFinite(x) ? x : 0);
