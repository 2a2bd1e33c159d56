import { createHash } from 'node:crypto';
import type { CartView } from '@emporium/cart';
import { AppError, conflict, forbidden, newId, notFound, validation } from '@emporium/platform';
import type { OrdersDeps } from './deps.ts';
import type { CheckoutSaga } from './saga.ts';
import type { LineRow, OrderRow, OrdersStore } from './store.ts';
import type { Address, Order, OrdersApi } from './types.ts';

export interface CheckoutRequest {
  shippingAddress: Address;
  paymentToken: string;
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

/** The cart as order lines, in SKU order as the store reads them back; refuses a cart that cannot be one. */
function orderLines(orderId: string, cart: CartView): LineRow[] {
  if (cart.items.length === 0) throw validation('Your cart is empty', [{ field: 'cart', message: 'empty' }]);
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
    const cart = await this.deps.cart.getCustomerCart(customerId);
    const id = newId();
    const lines = orderLines(id, cart);
    const { row, created } = await this.store.insert(
      {
        id,
        customerId,
        total: { amount: cart.subtotal.amount, currency: cart.subtotal.currency },
        address: request.shippingAddress,
        paymentToken: request.paymentToken,
        idempotencyKey,
        requestHash,
        lines: lines.map(({ order_id: _, ...line }) => line),
      },
      this.options.leaseMs,
    );
    if (!created) return this.replay(row, requestHash);
    // The inserting request holds the saga lease: it drives the order with what it already knows.
    return this.answer((await this.saga.drive(id, { row, lines })) ?? row);
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
