import { sql, type Generated, type JSONColumnType, type Kysely, type Selectable } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { writeEvents, type DomainEvent, type OutboxTables } from '@emporium/platform';
import { orderProcess } from './process.ts';
import { OrderStatusChanged, type Address, type Order, type OrderStatus, type SagaStep } from './types.ts';

export interface OrdersDB extends OutboxTables {
  orders: {
    id: string;
    customer_id: string;
    status: OrderStatus | 'rejected';
    saga_step: SagaStep;
    total_amount: number;
    currency: string;
    // jsonb: both drivers hand it back parsed; written as its JSON text.
    shipping_address: JSONColumnType<Address>;
    payment_token: string;
    idempotency_key: string;
    request_hash: string;
    failure: JSONColumnType<Failure | null, string | null, string | null>;
    cancel_requested: Generated<boolean>;
    locked_until: string | null;
    next_attempt_at: Generated<string | null>;
    attempts: Generated<number>;
    failures: Generated<number>;
    created_at: Generated<string>;
    updated_at: Generated<string>;
    guest_email: Generated<string | null>;
    guest_email_key: Generated<string | null>;
    guest_cart_id: Generated<string | null>;
  };
  order_secrets: { name: string; secret: string };
  order_lines: {
    order_id: string;
    sku: string;
    product_id: string;
    seller_id: string;
    title: string;
    quantity: number;
    unit_amount: number;
  };
  status_history: {
    seq: Generated<number>;
    order_id: string;
    status: string;
    note: string | null;
    at: Generated<string>;
  };
  fulfilments: {
    id: string;
    order_id: string;
    seller_id: string;
    status: Generated<string>;
    created_at: Generated<string>;
  };
}

export type OrderRow = Selectable<OrdersDB['orders']>;
export type LineRow = OrdersDB['order_lines'];
export type Failure = { skus?: string[]; declineCode?: string; message: string; kind: string };

export interface NewOrder {
  id: string;
  customerId: string;
  total: { amount: number; currency: string };
  address: Address;
  paymentToken: string;
  idempotencyKey: string;
  requestHash: string;
  lines: Omit<LineRow, 'order_id'>[];
  /** A guest's order: the e-mail given (and its normalised key, ADR 0502) and the cart it came from. */
  guest?: { email: string; emailKey: string; cartId: string };
}

export type Change = { step: SagaStep; status?: OrderRow['status']; note?: string; failure?: Failure };

const keyed = (db: Kysely<OrdersDB>, customerId: string, idempotencyKey: string) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('idempotency_key', '=', idempotencyKey);

/** Statuses after which nothing may be shipped: the order was cancelled, whatever became of the money. */
const ENDS_FULFILMENT = new Set<OrderRow['status']>(['cancelled', 'refunded', 'refund_failed']);

/**
 * Cancels what sellers have not shipped yet, in the transaction of the status change, so a seller never
 * sees a refunded order as one to ship.
 */
const cancelFulfilments = (db: Kysely<OrdersDB>, orderId: string) =>
  db
    .updateTable('fulfilments')
    .set({ status: 'cancelled' })
    .where('order_id', '=', orderId)
    .where('status', '=', 'pending')
    .execute();

const lease = (ms: number) => sql<string>`now() + ${`${ms} milliseconds`}::interval`;

export class OrdersStore {
  constructor(readonly db: Kysely<OrdersDB>) {}

  /** Inserts the order holding the saga lease, or returns the order already made with this key. */
  async insert(order: NewOrder, leaseMs: number): Promise<{ row: OrderRow; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('orders')
        .values({
          id: order.id,
          customer_id: order.customerId,
          status: 'pending_payment',
          saga_step: 'reserve',
          total_amount: order.total.amount,
          currency: order.total.currency,
          shipping_address: JSON.stringify(order.address),
          payment_token: order.paymentToken,
          idempotency_key: order.idempotencyKey,
          request_hash: order.requestHash,
          failure: null,
          locked_until: lease(leaseMs),
          ...(order.guest
            ? {
                guest_email: order.guest.email,
                guest_email_key: order.guest.emailKey,
                guest_cart_id: order.guest.cartId,
              }
            : {}),
        })
        .onConflict((oc) => oc.columns(['customer_id', 'idempotency_key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) {
        const existing = await keyed(trx, order.customerId, order.idempotencyKey).executeTakeFirstOrThrow();
        return { row: existing, created: false };
      }
      await trx
        .insertInto('order_lines')
        .values(order.lines.map((l) => ({ ...l, order_id: order.id })))
        .execute();
      await trx
        .insertInto('status_history')
        .values({ order_id: order.id, status: 'pending_payment', note: 'checkout started' })
        .execute();
      return { row: inserted, created: true };
    });
  }

  /** The order a (customer, Idempotency-Key) pair already made, if any. */
  async byKey(customerId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
    return keyed(this.db, customerId, idempotencyKey).executeTakeFirst();
  }

  /** The order a guest cart and Idempotency-Key already made, whoever it is linked to since. */
  async byGuestKey(cartId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('guest_cart_id', '=', cartId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
  }

  /**
   * Links a guest's order to a customer, once: only while it is still a guest's. Answers the row as it
   * stands after the attempt.
   */
  async linkToCustomer(id: string, customerId: string): Promise<OrderRow | undefined> {
    await this.db
      .updateTable('orders')
      .set({ customer_id: customerId, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('guest_email_key', 'is not', null)
      .where('customer_id', 'like', 'guest:%')
      .execute();
    return this.row(id);
  }

  /** A named secret of this database, made on first use (the same in every process). */
  async secret(name: string, fresh: () => string): Promise<string> {
    await this.db
      .insertInto('order_secrets')
      .values({ name, secret: fresh() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('order_secrets')
      .select('secret')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.secret;
  }

  async row(id: string): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async lines(id: string): Promise<LineRow[]> {
    return this.db.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('sku').execute();
  }

  /**
   * Takes the saga lease if nobody holds it (or the holder died and it expired). A parked order (an
   * outage) waits for its next attempt unless `wake` is set: a payment event says retrying now is useful.
   */
  async claim(id: string, leaseMs: number, options: { wake?: boolean } = {}): Promise<OrderRow | undefined> {
    return this.db
      .updateTable('orders')
      .set({ locked_until: lease(leaseMs), attempts: sql`attempts + 1` })
      .where('id', '=', id)
      .where('saga_step', '<>', 'done')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<string>`now()`)]))
      .$if(!options.wake, (q) =>
        q.where((eb) =>
          eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<string>`now()`)]),
        ),
      )
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Gives the lease up after an outage and counts the failure (the next pause grows with it); the
   * recovery loop (or a payment event) retries later.
   */
  async park(id: string, retryMs: number): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({ locked_until: null, next_attempt_at: lease(retryMs), failures: sql`failures + 1` })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Persists the next step and renews the lease (released when the saga is done) in one statement; a
   * status change adds its history row and event, and `fulfilments` are created, in the same transaction.
   * A status change the order process does not allow throws, and nothing is written.
   */
  async advance(
    id: string,
    change: Change,
    extra: { leaseMs: number; events?: DomainEvent[]; fulfilments?: { id: string; sellerId: string }[] },
  ): Promise<OrderRow> {
    const update = (db: Kysely<OrdersDB>) =>
      db
        .updateTable('orders')
        .set({
          saga_step: change.step,
          updated_at: sql`now()`,
          locked_until: change.step === 'done' ? null : lease(extra.leaseMs),
          next_attempt_at: null,
          failures: 0,
          ...(change.status ? { status: change.status } : {}),
          ...(change.failure ? { failure: JSON.stringify(change.failure) } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    const events = extra.events ?? [];
    if (!change.status && events.length === 0 && !extra.fulfilments?.length) return update(this.db);
    return this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('orders')
        .select('status')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (change.status) orderProcess.assert(before.status, change.status);
      if (extra.fulfilments?.length)
        await trx
          .insertInto('fulfilments')
          .values(extra.fulfilments.map((f) => ({ id: f.id, order_id: id, seller_id: f.sellerId })))
          .onConflict((oc) => oc.columns(['order_id', 'seller_id']).doNothing())
          .execute();
      const row = await update(trx);
      const all = [...events];
      if (change.status && change.status !== before.status) {
        await trx
          .insertInto('status_history')
          .values({ order_id: id, status: change.status, note: change.note ?? null })
          .execute();
        if (ENDS_FULFILMENT.has(change.status)) await cancelFulfilments(trx, id);
        all.push(
          OrderStatusChanged.create(id, {
            orderId: id,
            customerId: row.customer_id,
            status: change.status,
          }),
        );
      }
      await writeEvents(trx, all);
      return row;
    });
  }

  /** Re-opens a finished paid order at `step` (cancel after payment); one caller wins and holds the lease. */
  async reopen(id: string, step: SagaStep, leaseMs: number): Promise<OrderRow | undefined> {
    return this.db
      .updateTable('orders')
      .set({ saga_step: step, locked_until: lease(leaseMs), updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'paid')
      .where('saga_step', '=', 'done')
      .returningAll()
      .executeTakeFirst();
  }

  async requestCancel(id: string): Promise<void> {
    await this.db.updateTable('orders').set({ cancel_requested: true }).where('id', '=', id).execute();
  }

  async unfinished(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('orders')
      .select('id')
      .where('saga_step', '<>', 'done')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<string>`now()`)]))
      .where((eb) =>
        eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<string>`now()`)]),
      )
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The order as customers see it, in one query (lines, history and fulfilments as JSON arrays). */
  async full(id: string): Promise<Order | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll('orders')
      .select((eb) => [
        jsonArrayFrom(
          eb
            .selectFrom('order_lines')
            .selectAll('order_lines')
            .whereRef('order_lines.order_id', '=', 'orders.id')
            .orderBy('order_lines.sku'),
        ).as('lines'),
        jsonArrayFrom(
          eb
            .selectFrom('status_history')
            .select(['status_history.status', 'status_history.note', 'status_history.at'])
            .whereRef('status_history.order_id', '=', 'orders.id')
            .orderBy('status_history.seq'),
        ).as('history'),
        jsonArrayFrom(
          eb
            .selectFrom('fulfilments')
            .select(['fulfilments.id', 'fulfilments.seller_id', 'fulfilments.status'])
            .whereRef('fulfilments.order_id', '=', 'orders.id')
            .orderBy('fulfilments.seller_id'),
        ).as('fulfilments'),
      ])
      .where('orders.id', '=', id)
      .executeTakeFirst();
    if (!row || row.status === 'rejected') return undefined;
    const { lines, history, fulfilments } = row;
    const currency = row.currency;
    return {
      id: row.id,
      customerId: row.customer_id,
      status: row.status,
      total: { amount: row.total_amount, currency },
      lines: lines.map((l) => ({
        sku: l.sku,
        productId: l.product_id,
        sellerId: l.seller_id,
        title: l.title,
        quantity: l.quantity,
        unitPrice: { amount: l.unit_amount, currency },
        lineTotal: { amount: l.unit_amount * l.quantity, currency },
      })),
      shippingAddress: row.shipping_address,
      ...(row.guest_email ? { email: row.guest_email } : {}),
      fulfilments: fulfilments.map((f) => ({
        id: f.id,
        sellerId: f.seller_id,
        status: f.status,
        skus: lines.filter((l) => l.seller_id === f.seller_id).map((l) => l.sku),
      })),
      history: history.map((h) => ({
        status: h.status,
        ...(h.note ? { note: h.note } : {}),
        at: new Date(h.at).toISOString(),
      })),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  /**
   * The customer's order history. A checkout refused for stock or declined by the card is an attempt,
   * answered to its request, not an order; a declined one stays readable by the id its 402 names.
   */
  async idsOfCustomer(
    customerId: string,
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const base = this.db
      .selectFrom('orders')
      .where('customer_id', '=', customerId)
      .where('status', 'not in', ['rejected', 'payment_failed']);
    const [rows, count] = await Promise.all([
      base.select('id').orderBy('created_at', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { ids: rows.map((r) => r.id), total: Number(count.n) };
  }

  async idsOfSeller(
    sellerId: string,
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const base = this.db
      .selectFrom('orders')
      .where('status', 'not in', ['rejected', 'pending_payment', 'payment_failed'])
      .where('id', 'in', (eb) =>
        eb.selectFrom('order_lines').select('order_id').where('seller_id', '=', sellerId),
      );
    const [rows, count] = await Promise.all([
      base.select('id').orderBy('created_at', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { ids: rows.map((r) => r.id), total: Number(count.n) };
  }
}
