// Sends what the sent-log owes: claim due notices, look up who and what, render, send, record.
import type { Logger } from 'pino';
import type { OrdersApi, Order } from '@emporium/orders';
import type { UserContact, UsersApi } from '@emporium/users';
import { renderNotice } from './templates.ts';
import type { NotificationRow, NotificationsStore } from './store.ts';
import type { NotificationSettings } from './settings.ts';
import type { Notifier } from './types.ts';

export interface DeliveryDeps {
  users: Pick<UsersApi, 'getContacts'>;
  orders: Pick<OrdersApi, 'getOrder'>;
}

export interface DeliveryOptions {
  batchSize?: number;
  /** How long a sender holds a notice; one that dies mid-send lets it lapse and the notice goes again. */
  claimMs?: number;
  /** First pause after a failed attempt; doubles with every further failure, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Test hook: after a message was handed to the notifier and before it is recorded as sent. */
  afterSend?: (row: NotificationRow) => Promise<void>;
}

export class Delivery {
  private running: Promise<number> | undefined;
  private again = false;
  private readonly batchSize: number;
  private readonly claimMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly store: NotificationsStore,
    private readonly notifier: Notifier,
    private readonly deps: DeliveryDeps,
    private readonly settings: Pick<NotificationSettings, 'from' | 'storeUrl' | 'maxAttempts'>,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 20;
    this.claimMs = options.claimMs ?? 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
    this.retryMaxMs = options.retryMaxMs ?? 3_600_000;
  }

  /** Starts a delivery round soon, or one more after the running one: new notices go out at once. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.deliverDue().catch((err: unknown) => this.logger.warn({ err }, 'notification delivery failed'));
  }

  /** Sends every due notice; resolves with how many were sent. One round at a time per process. */
  async deliverDue(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.rounds();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async rounds(): Promise<number> {
    let sent = 0;
    do {
      this.again = false;
      for (;;) {
        const rows = await this.store.claimDue(this.batchSize, this.claimMs);
        if (rows.length === 0) break;
        const delivered = await this.deliverBatch(rows);
        sent += delivered;
        // Something failed: end the round, so a short backoff cannot turn it into a busy retry loop.
        if (delivered < rows.length) break;
      }
    } while (this.again);
    return sent;
  }

  private async deliverBatch(rows: NotificationRow[]): Promise<number> {
    let contacts: Map<string, UserContact>;
    let orders: Map<string, Order | undefined>;
    try {
      contacts = new Map(
        (await this.deps.users.getContacts([...new Set(rows.map((r) => r.recipient_id))])).map((c) => [
          c.id,
          c,
        ]),
      );
      const ids = [...new Set(rows.map((r) => r.order_id))];
      orders = new Map(
        await Promise.all(ids.map(async (id) => [id, await this.deps.orders.getOrder(id)] as const)),
      );
    } catch (error) {
      // Users or orders unreachable: nothing could be rendered, every notice of the batch waits.
      for (const row of rows) await this.failed(row, error);
      return 0;
    }
    // Recipients side by side, each one's notices in order: nobody reads 'delivered' before 'shipped'.
    const byRecipient = new Map<string, NotificationRow[]>();
    for (const row of rows)
      byRecipient.set(row.recipient_id, [...(byRecipient.get(row.recipient_id) ?? []), row]);
    const counts = await Promise.all(
      [...byRecipient.values()].map(async (mine) => {
        let sent = 0;
        for (const row of mine)
          if (await this.deliverOne(row, contacts.get(row.recipient_id), orders.get(row.order_id))) sent++;
        return sent;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  private async deliverOne(row: NotificationRow, contact: UserContact | undefined, order: Order | undefined) {
    if (!contact) {
      await this.store.markUndeliverable(row.id, 'no user with this id');
      return false;
    }
    const rendered = renderNotice({
      kind: row.kind,
      recipientName: contact.name,
      orderId: row.order_id,
      ...(order ? { order } : {}),
      ...(row.audience === 'seller' ? { sellerId: row.recipient_id } : {}),
      ...(row.details.refunded ? { refunded: row.details.refunded } : {}),
      storeUrl: this.settings.storeUrl,
    });
    try {
      await this.notifier.send({
        messageId: messageIdOf(row.id, this.settings.from),
        from: this.settings.from,
        to: { name: contact.name, address: contact.email },
        ...rendered,
      });
    } catch (error) {
      await this.failed(row, error);
      return false;
    }
    await this.options.afterSend?.(row);
    await this.store.markSent(row.id, rendered.subject);
    return true;
  }

  private async failed(row: NotificationRow, error: unknown): Promise<void> {
    const giveUp = row.attempts >= this.settings.maxAttempts;
    const pause = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, row.attempts - 1));
    const jittered = Math.round(pause * (0.8 + Math.random() * 0.4));
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      { notificationId: row.id, attempts: row.attempts, giveUp, err: message },
      'notification not sent',
    );
    await this.store.markFailed(row.id, message, jittered, giveUp);
  }
}

/** The same Message-ID on every attempt at one notice: a resend after a crash is recognisable as one. */
export function messageIdOf(notificationId: string, from: string): string {
  const domain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? 'emporium.localhost';
  return `<${notificationId}@${domain}>`;
}
