import type { Cache } from '@emporium/platform';
import { conflict, forbidden, notFound, validation } from '@emporium/platform';
import type { CartStore, Lines } from './store.ts';
import {
  MAX_LINE_QUANTITY,
  MAX_LINES,
  type AvailabilitySource,
  type CartApi,
  type CartLineView,
  type CartView,
  type VariantSource,
} from './types.ts';

/** Who is asking: a signed-in user, and/or the guest cart id their client sent. */
export interface CartCaller {
  userId?: string;
  guestCartId?: string;
}

export interface CartOptions {
  guestTtlSeconds: number;
  /** TTL of the cached line list; writes invalidate it, so this only bounds staleness across processes. */
  cacheSeconds: number;
  /** The store's currency: what an empty cart's subtotal is in. */
  currency: string;
}

const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,99}$/;

function checkQuantity(quantity: number, field = 'quantity') {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY)
    throw validation(`quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}`, [
      { field, message: 'out of range' },
    ]);
}

export class Carts implements CartApi {
  constructor(
    readonly store: CartStore,
    private readonly catalog: VariantSource,
    private readonly inventory: AvailabilitySource,
    private readonly cache: Cache,
    private readonly options: CartOptions,
  ) {}

  /**
   * The cart the caller works on. A signed-in caller who still sends a guest cart id gets that cart merged
   * into theirs first: the first authenticated request after login performs the merge (ADR 0702).
   */
  async resolve(caller: CartCaller, create: boolean): Promise<{ id?: string; guest: boolean }> {
    if (caller.userId) {
      const id = await this.store.customerCartId(caller.userId);
      if (caller.guestCartId && caller.guestCartId !== id)
        await this.mergeGuest(caller.guestCartId, id, caller.userId);
      return { id, guest: false };
    }
    if (caller.guestCartId) {
      const cart = await this.store.find(caller.guestCartId);
      const usable = cart && cart.customerId === null && cart.mergedInto === null && !expired(cart.expiresAt);
      if (usable) return { id: cart.id, guest: true };
      if (cart?.customerId) throw forbidden('This cart belongs to a customer; sign in to use it');
      if (!create) return { guest: true };
    }
    if (!create) return { guest: true };
    return { id: await this.store.createGuest(this.options.guestTtlSeconds), guest: true };
  }

  private async mergeGuest(guestId: string, customerCartId: string, userId: string) {
    const guest = await this.store.find(guestId);
    if (!guest || guest.mergedInto !== null || expired(guest.expiresAt)) return;
    if (guest.customerId !== null) {
      if (guest.customerId !== userId) throw forbidden('This cart belongs to another customer');
      return;
    }
    if (await this.store.merge(guestId, customerCartId, MAX_LINE_QUANTITY))
      await this.invalidate(guestId, customerCartId);
  }

  async view(caller: CartCaller): Promise<CartView> {
    const { id, guest } = await this.resolve(caller, false);
    return this.render(id, guest);
  }

  async setItem(caller: CartCaller, sku: string, quantity: number, mode: 'add' | 'set'): Promise<CartView> {
    if (!SKU_PATTERN.test(sku))
      throw validation(`"${sku}" is not a valid SKU`, [{ field: 'sku', message: 'invalid' }]);
    checkQuantity(quantity);
    const [variant] = await this.catalog.getVariants([sku]);
    if (!variant) throw notFound(`SKU ${sku}`);
    if (variant.status !== 'active') throw conflict(`SKU ${sku} is not for sale`, { skus: [sku] });
    const { id, guest } = await this.resolve(caller, true);
    if (!id) throw new Error('resolve(create) returned no cart');
    const lines = await this.lines(id);
    const current = lines.find((l) => l.sku === sku)?.quantity ?? 0;
    if (current === 0 && lines.length >= MAX_LINES) throw conflict(`a cart holds at most ${MAX_LINES} lines`);
    const next = mode === 'add' ? current + quantity : quantity;
    checkQuantity(next);
    const available = (await this.inventory.getAvailability([sku]))[sku]?.available ?? 0;
    if (next > available) throw conflict(`Only ${available} of ${sku} available`, { skus: [sku], available });
    await this.store.setLine(id, sku, next, guest ? this.options.guestTtlSeconds : undefined);
    await this.invalidate(id);
    return this.render(id, guest);
  }

  async removeItem(caller: CartCaller, sku: string): Promise<CartView> {
    const { id, guest } = await this.resolve(caller, false);
    if (!id) throw notFound('cart');
    await this.store.removeLine(id, sku, guest ? this.options.guestTtlSeconds : undefined);
    await this.invalidate(id);
    return this.render(id, guest);
  }

  async getCustomerCart(customerId: string): Promise<CartView> {
    return this.render(await this.store.customerCartId(customerId), false);
  }

  async markCheckedOut(customerId: string, orderId: string, lines: Lines): Promise<void> {
    const id = await this.store.customerCartId(customerId);
    await this.store.checkedOut(id, orderId, lines);
    await this.invalidate(id);
  }

  async getGuestCart(cartId: string): Promise<CartView> {
    return this.render(await this.openGuestCart(cartId), true);
  }

  async markGuestCheckedOut(cartId: string, orderId: string, lines: Lines): Promise<void> {
    const cart = await this.store.find(cartId);
    // A guest cart merged into a customer's meanwhile has no lines left to take out.
    if (!cart || cart.customerId !== null) return;
    await this.store.checkedOut(cartId, orderId, lines);
    await this.invalidate(cartId);
  }

  /** The id if it names a guest cart still in use (not a customer's, not merged, not expired). */
  private async openGuestCart(cartId: string): Promise<string | undefined> {
    const cart = await this.store.find(cartId);
    const open = cart && cart.customerId === null && cart.mergedInto === null && !expired(cart.expiresAt);
    return open ? cart.id : undefined;
  }

  async sweepExpiredGuests(): Promise<number> {
    return this.store.deleteExpiredGuests(500);
  }

  private lines(cartId: string): Promise<Lines> {
    return this.cache.getOrLoad(`cart:lines:${cartId}`, this.options.cacheSeconds, () =>
      this.store.lines(cartId),
    );
  }

  private async invalidate(...cartIds: string[]) {
    await this.cache.delete(...cartIds.map((id) => `cart:lines:${id}`));
  }

  private async render(id: string | undefined, guest: boolean): Promise<CartView> {
    const owner = guest ? 'guest' : 'customer';
    const lines = id ? await this.lines(id) : [];
    const skus = lines.map((l) => l.sku);
    const [variants, availability] = skus.length
      ? await Promise.all([this.catalog.getVariants(skus), this.inventory.getAvailability(skus)])
      : [[], {}];
    const bySku = new Map(variants.map((v) => [v.sku, v]));
    const items: CartLineView[] = [];
    for (const line of lines) {
      const v = bySku.get(line.sku);
      if (!v) continue; // a SKU the catalog no longer knows cannot be shown or bought
      const stock = availability[line.sku] ?? { available: 0, inStock: false };
      items.push({
        sku: line.sku,
        quantity: line.quantity,
        productId: v.productId,
        sellerId: v.sellerId,
        title: v.title,
        ...(v.variantTitle ? { variantTitle: v.variantTitle } : {}),
        ...(v.image ? { image: v.image } : {}),
        unitPrice: v.price,
        lineTotal: { amount: v.price.amount * line.quantity, currency: v.price.currency },
        available: stock.available,
        inStock: stock.inStock,
        purchasable: v.status === 'active' && stock.available >= line.quantity,
      });
    }
    // An empty cart has no price to take a currency from; it is in the store's.
    const currency = items[0]?.unitPrice.currency ?? this.options.currency;
    const amount = items.reduce((sum, i) => sum + i.lineTotal.amount, 0);
    return {
      ...(id ? { id } : {}),
      owner,
      items,
      itemCount: items.reduce((n, i) => n + i.quantity, 0),
      subtotal: { amount, currency },
    };
  }
}

const expired = (expiresAt: string | null) =>
  expiresAt !== null && new Date(expiresAt).getTime() < Date.now();
