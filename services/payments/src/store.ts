import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import { newId, writeEvents, type OutboxTables } from '@emporium/platform';
import { PaymentUpdated, type AuthorizeRequest, type IntentStatus, type PaymentIntent } from './types.ts';

export interface PaymentsDB extends OutboxTables {
  intents: {
    id: string;
    order_id: string;
    customer_id: string;
    amount: number;
    currency: string;
    token: string;
    status: IntentStatus;
    decline_code: string | null;
    authorization_id: string | null;
    captured_amount: Generated<number>;
    refunded_amount: Generated<number>;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  attempts: {
    seq: Generated<number>;
    intent_id: string;
    operation: string;
    idempotency_key: string;
    outcome: string;
    detail: string | null;
    created_at: Generated<string>;
  };
  webhook_events: {
    event_id: string;
    type: string;
    authorization_id: string | null;
    received_at: Generated<string>;
  };
}

type Row = Selectable<PaymentsDB['intents']>;

const toIntent = (r: Row): PaymentIntent => ({
  id: r.id,
  orderId: r.order_id,
  customerId: r.customer_id,
  amount: { amount: r.amount, currency: r.currency },
  status: r.status,
  ...(r.decline_code ? { declineCode: r.decline_code } : {}),
  ...(r.authorization_id ? { authorizationId: r.authorization_id } : {}),
  capturedAmount: r.captured_amount,
  refundedAmount: r.refunded_amount,
});

export interface IntentChange {
  status: IntentStatus;
  authorization_id?: string;
  decline_code?: string;
  captured_amount?: number;
  refunded_amount?: number;
}

export class PaymentsStore {
  constructor(readonly db: Kysely<PaymentsDB>) {}

  /**
   * The order's intent and its token, created on first call; the unique order_id makes concurrent callers
   * share it (the loser of the insert reads the winner's row).
   */
  async ensureIntent(request: AuthorizeRequest): Promise<{ intent: PaymentIntent; token: string }> {
    const inserted = await this.db
      .insertInto('intents')
      .values({
        id: newId(),
        order_id: request.orderId,
        customer_id: request.customerId,
        amount: request.amount.amount,
        currency: request.amount.currency,
        token: request.token,
        status: 'pending',
        decline_code: null,
        authorization_id: null,
      })
      .onConflict((oc) => oc.column('order_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    const row =
      inserted ??
      (await this.db
        .selectFrom('intents')
        .selectAll()
        .where('order_id', '=', request.orderId)
        .executeTakeFirst());
    if (!row) throw new Error(`intent of ${request.orderId} vanished`);
    return { intent: toIntent(row), token: row.token };
  }

  async byOrder(orderId: string): Promise<PaymentIntent | undefined> {
    const row = await this.db
      .selectFrom('intents')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row ? toIntent(row) : undefined;
  }

  /**
   * Moves the intent only from one of `from`, so a late or replayed answer never moves it backwards, and
   * only while it holds no authorisation or the one the change is about: an intent's authorisation, once
   * set, is never replaced. The gateway call that brought the answer is recorded in the same transaction
   * (one commit, not two).
   */
  async transition(
    intentId: string,
    from: IntentStatus[],
    change: IntentChange,
    attempt?: { operation: string; key: string },
  ): Promise<PaymentIntent | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (attempt)
        await trx
          .insertInto('attempts')
          .values({
            intent_id: intentId,
            operation: attempt.operation,
            idempotency_key: attempt.key,
            outcome: 'ok',
            detail: null,
          })
          .execute();
      const row = await trx
        .updateTable('intents')
        .set({ ...change, updated_at: sql`now()` })
        .where('id', '=', intentId)
        .where('status', 'in', from)
        .$if(change.authorization_id !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('authorization_id', 'is', null),
              eb('authorization_id', '=', change.authorization_id!),
            ]),
          ),
        )
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const intent = toIntent(row);
      await writeEvents(trx, [PaymentUpdated.create(intent.orderId, intent)]);
      return intent;
    });
  }

  async recordAttempt(intentId: string, operation: string, key: string, outcome: string, detail?: string) {
    await this.db
      .insertInto('attempts')
      .values({ intent_id: intentId, operation, idempotency_key: key, outcome, detail: detail ?? null })
      .execute();
  }

  async attempts(intentId: string) {
    return this.db
      .selectFrom('attempts')
      .selectAll()
      .where('intent_id', '=', intentId)
      .orderBy('seq')
      .execute();
  }

  /** False when the event id was seen before: the caller refuses the replay. */
  async acceptWebhook(eventId: string, type: string, authorizationId: string | undefined): Promise<boolean> {
    const row = await this.db
      .insertInto('webhook_events')
      .values({ event_id: eventId, type, authorization_id: authorizationId ?? null })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
