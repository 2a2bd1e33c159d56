// Online serving: candidates by placement (model, content or trending), then filters (active, in stock,
// not bought, not in the cart) and a context-aware, category-diverse re-rank over one hydration.
import type { CartApi } from '@emporium/cart';
import type { InventoryApi } from '@emporium/inventory';
import type { Cache } from '@emporium/platform';
import { validation } from '@emporium/platform';
import { itemIndex, recommend, type ModelSlot } from '../model/recommend.ts';
import type { Catalogue } from './catalogue.ts';
import type { ContextCache } from './context-cache.ts';
import type { ProductCache } from './product-cache.ts';
import { callerContext, cartProducts, type CallerContext } from './context.ts';
import { finalise, type Candidate } from './finalise.ts';
import type { RecsStore } from './store.ts';
import type { RecommendationList, RecommendationRequest, Strategy } from './types.ts';

export interface ServingOptions {
  /** Recent events of the caller read per request. */
  recentEvents: number;
  trendingWindowDays: number;
  trendingHalfLifeHours: number;
  trendingCacheSeconds: number;
}

export interface RecommenderDeps {
  store: RecsStore;
  contexts: ContextCache;
  catalogue: Catalogue;
  slot: ModelSlot;
  products: ProductCache;
  inventory: Pick<InventoryApi, 'getAvailability'>;
  cart?: Pick<CartApi, 'getCustomerCart'>;
  cache: Cache;
  options: ServingOptions;
}

interface Plan {
  strategy: Strategy;
  candidates: Candidate[];
  modelVersion?: string;
}

const TRENDING_SIZE = 300;

/** A trending product with its department/category key, computed once per refresh, not per request. */
type Trend = { id: string; score: number; category?: string };

const categoryKey = (path: readonly string[]) => path.slice(0, 2).join('/');

export class Recommender {
  private trendingMemo: { value: Trend[]; until: number } | undefined;

  constructor(private readonly deps: RecommenderDeps) {}

  async recommend(req: RecommendationRequest): Promise<RecommendationList> {
    if (req.placement === 'product' && !req.productId) {
      throw validation('placement=product needs a productId', [
        { field: 'productId', message: 'required for placement=product' },
      ]);
    }
    const { store, contexts, options } = this.deps;
    const rows =
      req.userId || req.sessionId
        ? await contexts.get(req, () => store.context(req, options.recentEvents))
        : [];
    const ctx = callerContext(rows);
    if (req.placement === 'cart') ctx.cart = (await cartProducts(this.deps.cart, req.userId)) ?? ctx.cart;
    const pool = Math.max(req.limit * 3, req.limit + 10);
    const primary = this.plan(req, ctx, pool);
    const exclude = this.excluded(req, ctx);
    const fallback = await this.trending(ctx, pool, exclude);
    const items = await finalise(this.deps, {
      primary: primary?.candidates ?? [],
      fallback: fallback.candidates,
      exclude,
      limit: req.limit,
      anchor: req.productId,
    });
    const usedPrimary = primary !== undefined && items.some((i) => i.tier === 0);
    const chosen = usedPrimary ? primary : fallback;
    return {
      items: items.map((i) => i.item),
      strategy: chosen.strategy,
      placement: req.placement,
      ...(chosen.modelVersion ? { modelVersion: chosen.modelVersion } : {}),
    };
  }

  private excluded(req: RecommendationRequest, ctx: CallerContext): Set<string> {
    // what the caller already saw is not news; the model excludes its history input the same way
    const out = new Set([...ctx.purchased, ...ctx.history]);
    if (req.productId) out.add(req.productId);
    if (req.placement === 'cart') for (const id of ctx.cart) out.add(id);
    return out;
  }

  /** The placement's own candidates, or undefined when it has nothing to go on (cold start). */
  private plan(req: RecommendationRequest, ctx: CallerContext, k: number): Plan | undefined {
    const anchors = req.placement === 'product' ? [req.productId!] : req.placement === 'cart' ? ctx.cart : [];
    const fromModel = this.fromModel(req, ctx, anchors, k);
    if (fromModel) return fromModel;
    if (anchors.length > 0) return this.fromContent(anchors, k);
    return undefined;
  }

  private fromModel(
    req: RecommendationRequest,
    ctx: CallerContext,
    anchors: string[],
    k: number,
  ): Plan | undefined {
    const model = this.deps.slot.get();
    if (!model) return undefined;
    const known = itemIndex(model);
    // a new product has no interactions yet: its neighbours come from content until it has some
    if (anchors.length > 0 && !anchors.some((a) => known.has(a))) return undefined;
    const history = [...ctx.history.filter((id) => !anchors.includes(id)), ...anchors];
    if (!history.some((id) => known.has(id))) return undefined;
    const exclude = this.excluded(req, ctx);
    const inactive = this.deps.catalogue.inactiveIds();
    // a filter runs for every item the first stage scores: skip it when there is nothing to filter
    const ranked = recommend(model, {
      history,
      exclude,
      k,
      ...(inactive.size > 0 ? { filter: (id: string) => !inactive.has(id) } : {}),
    });
    const strategy: Strategy =
      req.placement === 'product'
        ? 'viewed-together'
        : req.placement === 'cart'
          ? 'complete-the-order'
          : 'personalised';
    return {
      strategy,
      candidates: ranked.map((r) => ({ id: r.item, score: r.score })),
      modelVersion: model.version,
    };
  }

  private fromContent(anchors: string[], k: number): Plan | undefined {
    const scores = new Map<string, number>();
    for (const a of anchors.slice(0, 5)) {
      for (const n of this.deps.catalogue.neighbours(a, k)) {
        scores.set(n.item, Math.max(scores.get(n.item) ?? 0, n.score));
      }
    }
    if (scores.size === 0) return undefined;
    const candidates = [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
    return { strategy: 'content-neighbours', candidates };
  }

  /**
   * The shared cache holds trending for every replica; a parsed copy is kept here for a few seconds so
   * that a request does not decode 300 entries (or ask Redis) each time.
   */
  private async trendingList(load: () => Promise<Trend[]>): Promise<Trend[]> {
    const { cache, options } = this.deps;
    if (options.trendingCacheSeconds <= 0) return this.withCategories(await load());
    const now = Date.now();
    if (this.trendingMemo && this.trendingMemo.until > now) return this.trendingMemo.value;
    const shared = await cache.getOrLoad(
      `recs:trending:${options.trendingWindowDays}`,
      options.trendingCacheSeconds,
      load,
    );
    const value = this.withCategories(shared);
    this.trendingMemo = { value, until: now + Math.min(5, options.trendingCacheSeconds) * 1000 };
    return value;
  }

  private withCategories(list: readonly { id: string; score: number }[]): Trend[] {
    return list.map((t) => {
      const path = this.deps.catalogue.get(t.id)?.categoryPath;
      return path && path.length > 0 ? { ...t, category: categoryKey(path) } : { ...t };
    });
  }

  /**
   * The second tier of every list: recent demand (first in the categories the session is browsing), then
   * the catalogue's best rated, then its newest. Trending alone is not enough: on a young store it holds
   * the few products anyone touched, which the caller has usually seen, so a list built on it alone is
   * tiny or empty. The strategy names the first source that contributed.
   */
  private async trending(ctx: CallerContext, k: number, exclude: ReadonlySet<string>): Promise<Plan> {
    const { store, options, catalogue } = this.deps;
    const load = () =>
      store.trending(options.trendingWindowDays, options.trendingHalfLifeHours, TRENDING_SIZE);
    const overall = await this.trendingList(load);
    const inCategories = this.inSessionCategories(ctx, overall);
    const first = new Set(inCategories);
    const demand = [...inCategories, ...overall.filter((t) => !first.has(t))].map((t) => t.id);
    // what the caller may not be shown is dropped before each source is cut to k, so it cannot use up k
    const open = (ids: readonly string[]) => ids.filter((id) => !exclude.has(id)).slice(0, k);
    const sources = [demand, catalogue.topRatedIds(k + exclude.size), catalogue.newestIds(k + exclude.size)];
    const ordered = [...new Set(sources.flatMap(open))];
    const strategy: Strategy =
      inCategories.length > 0
        ? 'trending-in-categories'
        : overall.length > 0
          ? 'trending'
          : 'catalogue-top-rated';
    // demand keeps its order ahead of the catalogue's lists; finalise keeps this order up to diversity
    return { strategy, candidates: ordered.map((id, i) => ({ id, score: 1 / (1 + i) })) };
  }

  private inSessionCategories(ctx: CallerContext, overall: readonly Trend[]): Trend[] {
    const categories = new Set<string>();
    for (const id of ctx.session.length > 0 ? ctx.session : ctx.history.slice(-10)) {
      const path = this.deps.catalogue.get(id)?.categoryPath;
      if (path && path.length > 0) categories.add(categoryKey(path));
    }
    if (categories.size === 0) return [];
    return overall.filter((t) => t.category !== undefined && categories.has(t.category));
  }
}
