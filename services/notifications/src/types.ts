import type { Money } from '@emporium/platform';

/** One e-mail as a notifier sends it. `messageId` is the same on every attempt at the same notice. */
export interface OutgoingMessage {
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
}

/**
 * Where notices go: files in the data directory by default, an SMTP server when SMTP_URL is set. A
 * resolved `send` means the message was handed over; a rejection is retried later with the same message.
 */
export interface Notifier {
  readonly kind: 'file' | 'smtp';
  send(message: OutgoingMessage): Promise<void>;
  close(): Promise<void>;
}

/** What a notice tells, and to whom. */
export type NoticeKind =
  | 'order_confirmed'
  | 'order_shipped'
  | 'order_partially_shipped'
  | 'order_delivered'
  | 'return_requested'
  | 'return_received'
  | 'refund_issued'
  | 'seller_new_order';

export type Audience = 'customer' | 'seller';

/** A notice an event asks for, before anything is looked up or rendered. */
export interface NoticeIntent {
  recipientId: string;
  audience: Audience;
  kind: NoticeKind;
  orderId: string;
  details: NoticeDetails;
}

export interface NoticeDetails {
  /** refund_issued: the amount refunded so far. */
  refunded?: Money;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'undeliverable';

/** A notice as its recipient sees it in `GET /api/v1/notifications`. */
export interface NotificationRecord {
  id: string;
  kind: NoticeKind;
  orderId: string;
  status: DeliveryStatus;
  subject?: string;
  createdAt: string;
  sentAt?: string;
}

export interface NotificationsApi {
  /** The notices owed to one user, newest first. */
  listFor(recipientId: string, limit?: number): Promise<NotificationRecord[]>;
}
