import type { Money } from '@emporium/platform';

export type { Money };

/** The subset of the catalog contract (CatalogApi.getVariants) the cart needs. */
export interface VariantInfo {
  sku: string;
  productId: string;
  sellerId: string;
  title: string;
  variantTitle?: string;
  price: Money;
  status: 'draft' | 'active' | 'archived';
  image?: string;
}
export interface VariantSource {
  getVariants(skus: string[]): Promise<VariantInfo[]>;
}
/** The subset of InventoryApi the cart needs. */
export interface AvailabilitySource {
  getAvailability(skus: string[]): Promise<Record<string, { available: number; inStock: boolean }>>;
}

export interface CartLineView {
  sku: string;
  quantity: number;
  productId: string;
  sellerId: string;
  title: string;
  variantTitle?: string;
  image?: string;
  /** The current catalog price, re-read on every view. */
  unitPrice: Money;
  lineTotal: Money;
  available: number;
  inStock: boolean;
  /** False when the SKU is no longer sold (archived or gone) or short of stock: checkout would refuse it. */
  purchasable: boolean;
}

export interface CartView {
  /** Absent for a guest who has not added anything yet. */
  id?: string;
  owner: 'guest' | 'customer';
  items: CartLineView[];
  itemCount: number;
  subtotal: Money;
  expiresAt?: string;
}

/** The cart's API for other services (orders). */
export interface CartApi {
  getCustomerCart(customerId: string): Promise<CartView>;
  /** Removes what the order bought from the customer's cart; idempotent per orderId. */
  markCheckedOut(
    customerId: string,
    orderId: string,
    lines: { sku: string; quantity: number }[],
  ): Promise<void>;
  /** A guest's cart as checkout sees it; empty when the id names no open guest cart. */
  getGuestCart(cartId: string): Promise<CartView>;
  /** As markCheckedOut, for a guest cart; idempotent per orderId. */
  markGuestCheckedOut(
    cartId: string,
    orderId: string,
    lines: { sku: string; quantity: number }[],
  ): Promise<void>;
}

export const MAX_LINE_QUANTITY = 99;
export const MAX_LINES = 50;
