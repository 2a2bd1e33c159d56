import { createHash } from 'node:crypto';
import type { CartView } from '@emporium/cart';
import { normaliseEmail } from '@emporium/users';
import {
  AppError,
  conflict,
  forbidden,
  newId,
  notFound,
  validation,
  type FieldError,
} from '@emporium/platform';
import type { OrdersDeps } from './deps.ts';
import type { GuestAccess } from './guest-access.ts';
import type { CheckoutSaga } from './saga.ts';
import type { LineRow, NewOrder, OrderRow, OrdersStore } from './store.ts';
import type { Address, Order, OrdersApi } from './types.ts';

export interface CheckoutRequest {
  shippingAddress?: Address;
  /** An address of the customer's own address book (users), instead of `shippingAddress`. */
  shippingAddressId?: string;
  paymentToken: string;
}

/** A guest's checkout: the e-mail the order is sent to and may later be linked by (ADR 0740). */
export interface GuestCheckoutRequest extends CheckoutRequest {
  email: string;
}

/** A guest's order with the capability token that opens it (the only way a guest reaches it). */
export interface GuestOrder extends Order {
  guestAccess: { token: string; url: string };
}

const IN_FLIGHT = new Set(['reserve', 'authorize', 'capture']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same request whatever the order of its JSON keys: a retry need not serialise it byte for byte. */
const hashOf = (request: CheckoutRequest) =>
  createHash('sha256').update(canonicalJson(request)).digest('hex');

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const EMPTY_CART: FieldError = {
  field: 'cart',
  message: 'is empty: add at least one item to the cart before checking out',
};

/** The cart as order lines, in SKU order as the store reads them back; refuses a cart that cannot be one. */
function orderLines(orderId: string, cart: CartView): LineRow[] {
  if (cart.items.length === 0) throw validation('Your cart is empty', [EMPTY_CART]);
  if (new Set(cart.items.map((i) => i.unitPrice.currency)).size > 1)
    throw validation('A cart with several currencies cannot be checked out in one order');
  // A card cannot be charged less than one minor unit: refused before any stock is reserved.
  if (cart.subtotal.amount < 1)
    throw validation('A cart whose total is 0 cannot be paid', [{ field: 'cart', message: 'total is 0' }]);
  return cart.items
    .map((i) => ({
      order_id: orderId,
      sku: i.sku,
      product_id: i.productId,
      seller_id: i.sellerId,
      title: i.title,
      quantity: i.quantity,
      unit_amount: i.unitPrice.amount,
    }))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

export class Orders implements OrdersApi {
  constructor(
    readonly store: OrdersStore,
    readonly saga: CheckoutSaga,
    private readonly deps: OrdersDeps,
    private readonly options: { twinWaitMs: number; leaseMs: number },
    private readonly access: GuestAccess,
  ) {}

  getOrder(id: string): Promise<Order | undefined> {
    return this.store.full(id);
  }

  /**
   * Checks out the customer's cart. A key already used answers what its first request led to, before
   * the cart is read: that request emptied the cart, and a client whose answer was lost must still get
   * its order (ADR 0708). Of several identical first requests, the (customer, key) unique constraint
   * decides which creates the order; the others wait for that order's outcome and answer the same.
   */
  async checkout(customerId: string, idempotencyKey: string, request: CheckoutRequest): Promise<Order> {
    const requestHash = hashOf(request);
    const existing = await this.store.byKey(customerId, idempotencyKey);
    if (existing) return this.replay(existing, requestHash);
    const address = await this.shippingAddress(customerId, request);
    const cart = await this.deps.cart.getCustomerCart(customerId);
    return this.place({ customerId, idempotencyKey, requestHash, address, cart, request });
  }

  /**
   * Checks out a guest cart (ADR 0740): as `checkout`, with the cart id in place of the customer and the
   * e-mail kept with the order. The answer carries the capability token that opens the order; a retry
   * with the same Idempotency-Key gets the same order and the same token.
   */
  async guestCheckout(
    cartId: string,
    idempotencyKey: string,
    request: GuestCheckoutRequest,
  ): Promise<GuestOrder> {
    const requestHash = hashOf(request);
    const existing = await this.store.byGuestKey(cartId, idempotencyKey);
    if (existing) return this.withAccess(await this.replay(existing, requestHash));
    const email = normaliseEmail(request.email);
    const cart = await this.deps.cart.getGuestCart(cartId);
    const errors: FieldError[] = [];
    if (!email.ok) errors.push({ field: 'email', message: email.reason });
    if (!request.shippingAddress)
      errors.push({ field: 'shippingAddress', message: 'is required for a guest checkout' });
    if (cart.items.length === 0) errors.push(EMPTY_CART);
    if (!email.ok || !request.shippingAddress || errors.length > 0)
      throw validation(`The checkout is not complete: ${errors.map((e) => e.field).join(', ')}`, errors);
    const order = await this.place({
      customerId: `guest:${cartId}`,
      idempotencyKey,
      requestHash,
      address: request.shippingAddress,
      cart,
      request,
      guest: { email: email.address, emailKey: email.key, cartId },
    });
    return this.withAccess(order);
  }

  private async place(p: {
    customerId: string;
    idempotencyKey: string;
    requestHash: string;
    address: Address;
    cart: CartView;
    request: CheckoutRequest;
    guest?: NewOrder['guest'];
  }): Promise<Order> {
    const id = newId();
    const lines = orderLines(id, p.cart);
    const { row, created } = await this.store.insert(
      {
        id,
        customerId: p.customerId,
        total: { amount: p.cart.subtotal.amount, currency: p.cart.subtotal.currency },
        address: p.address,
        paymentToken: p.request.paymentToken,
        idempotencyKey: p.idempotencyKey,
        requestHash: p.requestHash,
        lines: lines.map(({ order_id: _, ...line }) => line),
        ...(p.guest ? { guest: p.guest } : {}),
      },
      this.options.leaseMs,
    );
    if (!created) return this.replay(row, p.requestHash);
    // The inserting request holds the saga lease: it drives the order with what it already knows.
    return this.answer((await this.saga.drive(id, { row, lines })) ?? row);
  }

  /**
   * The address to ship to: the one given, or a copy of one from the customer's own address book (a
   * later change to the book does not move the order). Another customer's address id is not found.
   */
  private async shippingAddress(customerId: string, request: CheckoutRequest): Promise<Address> {
    if (request.shippingAddress && request.shippingAddressId)
      throw validation('Give the address or an address id, not both', [
        { field: 'shippingAddressId', message: 'cannot be combined with shippingAddress' },
      ]);
    if (request.shippingAddress) return request.shippingAddress;
    if (!request.shippingAddressId)
      throw validation('Where should the order go?', [
        {
          field: 'shippingAddress',
          message: 'is required (or shippingAddressId, an address of your address book)',
        },
      ]);
    if (!this.deps.users) throw new AppError('Unavailable', 'The address book is not reachable from here');
    const saved = await this.deps.users.getAddress(customerId, request.shippingAddressId);
    if (!saved)
      throw validation('Unknown address', [
        { field: 'shippingAddressId', message: 'is not an address of your address book' },
      ]);
    return {
      name: saved.name,
      line1: saved.line1,
      ...(saved.line2 ? { line2: saved.line2 } : {}),
      city: saved.city,
      ...(saved.region ? { region: saved.region } : {}),
      postalCode: saved.postalCode,
      country: saved.country,
    };
  }

  private withAccess(order: Order): GuestOrder {
    const token = this.access.tokenFor(order.id);
    return { ...order, guestAccess: { token, url: `/api/v1/orders/guest/${token}` } };
  }

  /** A guest order by its capability token; anything else (a guessed id, a wrong token) is not found. */
  async guestOrder(token: string): Promise<Order> {
    const id = this.access.orderIdOf(token);
    const order = id ? await this.store.full(id) : undefined;
    if (!order || !order.email) throw notFound('order');
    return order;
  }

  /**
   * Links a guest order to the signed-in customer (ADR 0740): the caller shows the order's token (held
   * by whoever checked out, and sent to the e-mail given) and signed in with that same e-mail, by the
   * normalisation of ADR 0502. Linking again is a no-op; an order linked to someone else is not found.
   */
  async linkGuestOrder(customerId: string, token: string): Promise<Order> {
    const id = this.access.orderIdOf(token);
    const row = id ? await this.store.row(id) : undefined;
    if (!row || !row.guest_email_key || row.status === 'rejected') throw notFound('order');
    if (row.customer_id !== customerId) {
      if (!row.customer_id.startsWith('guest:')) throw notFound('order');
      if (!this.deps.users) throw new AppError('Unavailable', 'Accounts are not reachable from here');
      const emailKey = await this.deps.users.getEmailKey(customerId);
      if (emailKey !== row.guest_email_key)
        throw forbidden('This order was placed with another e-mail address than your account has');
      const linked = await this.store.linkToCustomer(row.id, customerId);
      if (linked?.customer_id !== customerId) throw notFound('order');
    }
    return this.mine(customerId, row.id);
  }

  /** The answer to a key already used: the same outcome for the same body, a 422 for another one. */
  private async replay(row: OrderRow, requestHash: string): Promise<Order> {
    if (row.request_hash !== requestHash)
      throw new AppError(
        'Unprocessable',
        'This Idempotency-Key was already used for another checkout request',
        {
          fields: [{ field: 'Idempotency-Key', message: 'reused with a different body' }],
        },
      );
    return this.answer((await this.awaitOutcome(row.id)) ?? row);
  }

  private async awaitOutcome(id: string): Promise<OrderRow | undefined> {
    const deadline = Date.now() + this.options.twinWaitMs;
    let row = await this.store.row(id);
    while (row && IN_FLIGHT.has(row.saga_step) && Date.now() < deadline) {
      await sleep(25);
      row = await this.store.row(id);
    }
    return row;
  }

  private async answer(row: OrderRow): Promise<Order> {
    const failure = row.failure ?? undefined;
    if (row.status === 'rejected')
      throw conflict(`Not enough stock for ${(failure?.skus ?? []).join(', ')}`, {
        skus: failure?.skus ?? [],
      });
    if (row.status === 'payment_failed')
      throw new AppError('PaymentDeclined', failure?.message ?? 'The payment was declined', {
        orderId: row.id,
        declineCode: failure?.declineCode,
      });
    if (row.status === 'pending_payment' && IN_FLIGHT.has(row.saga_step))
      throw new AppError(
        'Unavailable',
        'The payment is still being processed; retry with the same Idempotency-Key',
        {
          orderId: row.id,
        },
      );
    const order = await this.store.full(row.id);
    if (!order) throw notFound(`order ${row.id}`);
    return order;
  }

  async mine(customerId: string, id: string): Promise<Order> {
    const order = await this.store.full(id);
    if (!order) throw notFound(`order ${id}`);
    if (order.customerId !== customerId) throw notFound(`order ${id}`);
    return order;
  }

  async cancel(user: { id: string; role: string }, id: string): Promise<Order> {
    const order = await this.store.full(id);
    if (!order || (order.customerId !== user.id && user.role !== 'admin')) throw notFound(`order ${id}`);
    if (order.status === 'pending_payment') {
      await this.store.requestCancel(id);
      await this.saga.drive(id);
    } else if (order.status === 'paid') {
      // A paid order's saga is done; it is re-opened to be undone latest step first (restock, refund,
      // each idempotent per order). Of two concurrent cancels one re-opens it; the other sees it refunding.
      const row = await this.store.reopen(id, this.saga.undoAll, this.options.leaseMs);
      if (!row) throw conflict('The order is still being processed; try again in a moment');
      await this.saga.drive(id, { row });
    } else if (!['cancelled', 'refunded', 'refund_failed'].includes(order.status)) {
      throw conflict(`An order that is ${order.status} cannot be cancelled`);
    }
    return (await this.store.full(id)) ?? order;
  }

  async list(customerId: string, page: number, perPage: number) {
    const { ids, total } = await this.store.idsOfCustomer(customerId, perPage, (page - 1) * perPage);
    return { items: await this.fulls(ids), total, page, perPage };
  }

  async listForSeller(user: { id: string; role: string }, page: number, perPage: number) {
    if (user.role !== 'seller' && user.role !== 'admin') throw forbidden();
    const { ids, total } = await this.store.idsOfSeller(user.id, perPage, (page - 1) * perPage);
    const items = (await this.fulls(ids)).map((o) => sellerView(o, user.id));
    return { items, total, page, perPage };
  }

  private async fulls(ids: string[]): Promise<Order[]> {
    const orders = await Promise.all(ids.map((id) => this.store.full(id)));
    return orders.filter((o): o is Order => o !== undefined);
  }
}

/**
 * A seller sees its own lines, their total and its fulfilment only, never other sellers' items or
 * amounts: what it is paid for and ships is its part of the order, not the customer's whole basket.
 */
function sellerView(order: Order, sellerId: string): Order {
  const lines = order.lines.filter((l) => l.sellerId === sellerId);
  const amount = lines.reduce((sum, l) => sum + l.lineTotal.amount, 0);
  return {
    ...order,
    total: { amount, currency: order.total.currency },
    lines,
    fulfilments: order.fulfilments.filter((f) => f.sellerId === sellerId),
  };
}
