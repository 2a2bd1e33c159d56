import { sql, type Generated, type Kysely } from 'kysely';
import { newId, type OutboxTables } from '@emporium/platform';

export interface CartDB extends OutboxTables {
  carts: {
    id: string;
    customer_id: string | null;
    expires_at: string | null;
    merged_into: string | null;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  cart_lines: { cart_id: string; sku: string; quantity: number; added_at: Generated<string> };
  checkouts: { order_id: string; cart_id: string; at: Generated<string> };
}

export interface CartRecord {
  id: string;
  customerId: string | null;
  expiresAt: string | null;
  mergedInto: string | null;
}
export type Lines = { sku: string; quantity: number }[];

export class CartStore {
  constructor(readonly db: Kysely<CartDB>) {}

  async find(id: string): Promise<CartRecord | undefined> {
    const row = await this.db
      .selectFrom('carts')
      .select(['id', 'customer_id', 'expires_at', 'merged_into'])
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        customerId: row.customer_id,
        expiresAt: row.expires_at,
        mergedInto: row.merged_into,
      }
    );
  }

  /** The customer's cart, created on first use (a read first: it exists on every call but the first). */
  async customerCartId(customerId: string): Promise<string> {
    const existing = await this.db
      .selectFrom('carts')
      .select('id')
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    if (existing) return existing.id;
    await this.db
      .insertInto('carts')
      .values({ id: newId(), customer_id: customerId, expires_at: null, merged_into: null })
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('carts')
      .select('id')
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createGuest(ttlSeconds: number): Promise<string> {
    const id = newId();
    await this.db
      .insertInto('carts')
      .values({
        id,
        customer_id: null,
        expires_at: sql<string>`now() + ${`${ttlSeconds} seconds`}::interval`,
        merged_into: null,
      })
      .execute();
    return id;
  }

  async lines(cartId: string): Promise<Lines> {
    return this.db
      .selectFrom('cart_lines')
      .select(['sku', 'quantity'])
      .where('cart_id', '=', cartId)
      .orderBy('added_at')
      .orderBy('sku')
      .execute();
  }

  async setLine(cartId: string, sku: string, quantity: number, guestTtl: number | undefined): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('cart_lines')
        .values({ cart_id: cartId, sku, quantity })
        .onConflict((oc) => oc.columns(['cart_id', 'sku']).doUpdateSet({ quantity }))
        .execute();
      await touch(trx, cartId, guestTtl);
    });
  }

  async removeLine(cartId: string, sku: string, guestTtl: number | undefined): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('cart_lines')
        .where('cart_id', '=', cartId)
        .where('sku', '=', sku)
        .executeTakeFirst();
      // Removing a line the cart does not hold changes nothing, its age and expiry included.
      if (removed.numDeletedRows > 0n) await touch(trx, cartId, guestTtl);
    });
  }

  /**
   * Moves the guest cart's lines into the customer's (quantities add, capped) and retires the guest cart,
   * in one transaction; the guard on merged_into makes a concurrent second merge a no-op.
   */
  async merge(guestId: string, customerCartId: string, cap: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const retired = await trx
        .updateTable('carts')
        .set({ merged_into: customerCartId, updated_at: sql`now()` })
        .where('id', '=', guestId)
        .where('customer_id', 'is', null)
        .where('merged_into', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!retired) return false;
      const guestLines = await trx
        .selectFrom('cart_lines')
        .select(['sku', 'quantity'])
        .where('cart_id', '=', guestId)
        .execute();
      for (const line of guestLines) {
        await trx
          .insertInto('cart_lines')
          .values({ cart_id: customerCartId, sku: line.sku, quantity: Math.min(cap, line.quantity) })
          .onConflict((oc) =>
            oc
              .columns(['cart_id', 'sku'])
              .doUpdateSet({ quantity: sql`least(${cap}, cart_lines.quantity + ${line.quantity})` }),
          )
          .execute();
      }
      await trx.deleteFrom('cart_lines').where('cart_id', '=', guestId).execute();
      return true;
    });
  }

  /**
   * Removes what an order bought, once per order id, in one statement: the checkouts row is the guard
   * (a repeat inserts nothing, so the line changes join nothing), lines bought whole are deleted, the
   * others shrink. A line the customer raised meanwhile keeps the difference.
   */
  async checkedOut(cartId: string, orderId: string, lines: Lines): Promise<void> {
    if (lines.length === 0) return;
    const skus = lines.map((l) => l.sku);
    const quantities = lines.map((l) => l.quantity);
    await sql`
      with fresh as (
        insert into ${sql.id('cart', 'checkouts')} (order_id, cart_id) values (${orderId}, ${cartId})
        on conflict (order_id) do nothing returning cart_id
      ), bought as (
        select b.sku, b.quantity from unnest(${skus}::text[], ${quantities}::int[]) as b(sku, quantity)
      ), removed as (
        delete from ${sql.id('cart', 'cart_lines')} l using fresh, bought b
         where l.cart_id = fresh.cart_id and l.sku = b.sku and l.quantity <= b.quantity
      )
      update ${sql.id('cart', 'cart_lines')} l set quantity = l.quantity - b.quantity
        from fresh, bought b
       where l.cart_id = fresh.cart_id and l.sku = b.sku and l.quantity > b.quantity`.execute(this.db);
  }

  async deleteExpiredGuests(limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('carts')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('carts')
          .select('id')
          .where('customer_id', 'is', null)
          .where('expires_at', '<', sql<string>`now()`)
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

async function touch(trx: Kysely<CartDB>, cartId: string, guestTtl: number | undefined) {
  await trx
    .updateTable('carts')
    .set({
      updated_at: sql`now()`,
      ...(guestTtl
        ? {
            expires_at: sql`case when customer_id is null then now() + ${`${guestTtl} seconds`}::interval else null end`,
          }
        : {}),
    })
    .where('id', '=', cartId)
    .execute();
}
