import type { ProductSummary } from '@emporium/catalog';
import type { Order } from '@emporium/orders';
import { categoryKey, lineCommission, type Rate } from './money.ts';
import type { OrderSale } from './ledger.ts';

/** The category path of each product of the order; a product the catalog no longer has gets the default. */
export function categoryPaths(order: Order, products: ProductSummary[]): Map<string, string[]> {
  const byId = new Map(products.map((p) => [p.id, p.categoryPath]));
  return new Map(order.lines.map((l) => [l.productId, byId.get(l.productId) ?? []]));
}

/**
 * Each seller's gross and commission on a paid order: commission is computed per line with the rate of
 * its product's category (ADR 1010) and summed per seller, so a seller's statement adds up line by line.
 */
export function saleOf(order: Order, paths: Map<string, string[]>, rates: Map<string, Rate>): OrderSale {
  const sellers = new Map<string, { gross: number; commission: number }>();
  for (const line of order.lines) {
    const rate = rates.get(categoryKey(paths.get(line.productId) ?? []));
    if (!rate) throw new Error(`no commission rate for product ${line.productId}`);
    const total = line.lineTotal.amount;
    const commission = lineCommission(
      { total, quantity: line.quantity, currency: order.total.currency },
      rate,
    );
    const seller = sellers.get(line.sellerId) ?? { gross: 0, commission: 0 };
    seller.gross += total;
    seller.commission += commission;
    sellers.set(line.sellerId, seller);
  }
  return {
    orderId: order.id,
    currency: order.total.currency,
    sellers: [...sellers]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sellerId, s]) => ({ sellerId, ...s })),
  };
}
