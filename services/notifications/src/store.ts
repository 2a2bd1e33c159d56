// Persistence of the `notifications` schema: the sent-log that is also the delivery queue.
import { sql, type ColumnType, type Generated, type Kysely, type Selectable } from 'kysely';
import { newId, type DomainEvent } from '@emporium/platform';
import type { Audience, DeliveryStatus, NoticeDetails, NoticeIntent, NoticeKind } from './types.ts';

export interface NotificationsDB {
  notifications: {
    id: string;
    event_id: string;
    recipient_id: string;
    audience: Audience;
    kind: NoticeKind;
    order_id: string;
    details: ColumnType<NoticeDetails, string, string>;
    status: Generated<DeliveryStatus>;
    attempts: Generated<number>;
    next_attempt_at: Generated<string>;
    claimed_until: string | null;
    last_error: string | null;
    subject: string | null;
    occurred_at: string;
    created_at: Generated<string>;
    sent_at: string | null;
  };
}

export type NotificationRow = Selectable<NotificationsDB['notifications']>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class NotificationsStore {
  constructor(readonly db: Kysely<NotificationsDB>) {}

  /**
   * Records the notices an event asks for. The key (event id, recipient) makes a redelivered event a
   * no-op; returns how many rows are new. Recipients that are not ids (a malformed event) are dropped.
   */
  async enqueue(event: DomainEvent, intents: NoticeIntent[]): Promise<number> {
    const rows = intents
      .filter((i) => UUID.test(i.recipientId) && UUID.test(i.orderId))
      .map((i) => ({
        id: newId(),
        event_id: event.id,
        recipient_id: i.recipientId,
        audience: i.audience,
        kind: i.kind,
        order_id: i.orderId,
        details: JSON.stringify(i.details),
        occurred_at: event.occurredAt,
      }));
    if (rows.length === 0) return 0;
    const inserted = await this.db
      .insertInto('notifications')
      .values(rows)
      .onConflict((oc) => oc.columns(['event_id', 'recipient_id']).doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  }

  /**
   * Claims due notices for `leaseMs` in one statement (skip locked: two senders never take the same row).
   * A sender that dies holding a claim lets it lapse, and the notice is sent again with the same id.
   */
  async claimDue(limit: number, leaseMs: number): Promise<NotificationRow[]> {
    const rows = await this.db
      .updateTable('notifications')
      .set({
        claimed_until: sql<string>`now() + ${`${leaseMs} milliseconds`}::interval`,
        attempts: sql<number>`attempts + 1`,
      })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notifications')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', sql<string>`now()`)
          .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', sql<string>`now()`)]))
          .orderBy('created_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
    // In the order the events came, so a customer reads 'shipped' before 'delivered'.
    return rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
  }

  async markSent(id: string, subject: string): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ status: 'sent', subject, sent_at: sql<string>`now()`, claimed_until: null, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  /** Gives up on a notice that cannot go anywhere (no such user, no address). */
  async markUndeliverable(id: string, reason: string): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ status: 'undeliverable', last_error: reason, claimed_until: null })
      .where('id', '=', id)
      .execute();
  }

  /** A failed attempt: retried after `retryInMs`, or given up when it was the last one allowed. */
  async markFailed(id: string, error: string, retryInMs: number, giveUp: boolean): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({
        status: giveUp ? 'failed' : 'pending',
        last_error: error.slice(0, 500),
        claimed_until: null,
        next_attempt_at: sql<string>`now() + ${`${retryInMs} milliseconds`}::interval`,
      })
      .where('id', '=', id)
      .execute();
  }

  async listFor(recipientId: string, limit: number): Promise<NotificationRow[]> {
    if (!UUID.test(recipientId)) return [];
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('recipient_id', '=', recipientId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
