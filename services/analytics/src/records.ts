// The exported records: a versioned envelope and one data schema per exported event, with the mapping
// from the domain event that leaves personal data out (ids of people become keyed pseudonyms).
// Adding an event to the export is one entry in EXPORTS; changing a record's shape bumps its version.
import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { MoneySchema, type DomainEvent, type EventDefinition } from '@emporium/platform';
import { OrderPaid, OrderStatusChanged } from '@emporium/orders';
import { PaymentUpdated } from '@emporium/payments';
import { BehaviourRecorded } from '@emporium/recommendations';

/** Turns the id of a person (customer, session) into a stable pseudonym; see pseudonyms.ts. */
export type Pseudonymise = (id: string) => string;

const Pseudonym = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'HMAC-SHA-256 of the id, keyed' });

export const OrderPaidRecord = Type.Object({
  orderId: Type.String(),
  customer: Pseudonym,
  total: MoneySchema,
  shipToCountry: Type.String(),
  sellers: Type.Array(
    Type.Object({
      sellerId: Type.String(),
      lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
    }),
  ),
});

export const OrderStatusRecord = Type.Object({
  orderId: Type.String(),
  customer: Pseudonym,
  status: Type.String(),
});

export const PaymentRecord = Type.Object({
  orderId: Type.String(),
  customer: Pseudonym,
  status: Type.String(),
  amount: MoneySchema,
  capturedAmount: Type.Integer(),
  refundedAmount: Type.Integer(),
  declineCode: Type.Optional(Type.String()),
});

export const BehaviourRecord = Type.Object({
  kind: Type.Union([
    Type.Literal('view'),
    Type.Literal('click'),
    Type.Literal('add_to_cart'),
    Type.Literal('search'),
  ]),
  user: Type.Optional(Pseudonym),
  session: Type.Optional(Pseudonym),
  productId: Type.Optional(Type.String()),
  query: Type.Optional(Type.String({ maxLength: 200 })),
});

interface ExportRule<E extends TSchema = TSchema, R extends TSchema = TSchema> {
  /** The record's `type` in the export: stable, independent of internal event names. */
  readonly type: string;
  readonly schemaVersion: number;
  readonly event: EventDefinition<E>;
  readonly schema: R;
  toData(data: Static<E>, pseudonymise: Pseudonymise): Static<R>;
}

const rule = <E extends TSchema, R extends TSchema>(r: ExportRule<E, R>): ExportRule =>
  r as unknown as ExportRule;

export const EXPORTS: readonly ExportRule[] = [
  rule({
    type: 'order.paid',
    schemaVersion: 1,
    event: OrderPaid,
    schema: OrderPaidRecord,
    toData: (d, p) => ({
      orderId: d.orderId,
      customer: p(d.customerId),
      total: d.total,
      // The country only: the rest of an address (name, street) identifies a person.
      shipToCountry: d.shippingAddress.country,
      sellers: d.fulfilments.map((f) => ({ sellerId: f.sellerId, lines: f.lines })),
    }),
  }),
  rule({
    type: 'order.status_changed',
    schemaVersion: 1,
    event: OrderStatusChanged,
    schema: OrderStatusRecord,
    toData: (d, p) => ({ orderId: d.orderId, customer: p(d.customerId), status: d.status }),
  }),
  rule({
    type: 'payment.updated',
    schemaVersion: 1,
    event: PaymentUpdated,
    schema: PaymentRecord,
    toData: (d, p) => ({
      orderId: d.orderId,
      customer: p(d.customerId),
      status: d.status,
      amount: d.amount,
      capturedAmount: d.capturedAmount,
      refundedAmount: d.refundedAmount,
      ...(d.declineCode ? { declineCode: d.declineCode } : {}),
    }),
  }),
  rule({
    type: 'behaviour.recorded',
    schemaVersion: 1,
    event: BehaviourRecorded,
    schema: BehaviourRecord,
    toData: (d, p) => ({
      kind: d.kind,
      ...(d.userId ? { user: p(d.userId) } : {}),
      ...(d.sessionId ? { session: p(d.sessionId) } : {}),
      ...(d.productId ? { productId: d.productId } : {}),
      ...(d.query ? { query: d.query.slice(0, 200) } : {}),
    }),
  }),
];

/** Every exported line: the envelope is version-independent, `data` follows (type, schemaVersion). */
export const ExportEnvelope = Type.Object({
  schemaVersion: Type.Integer({ minimum: 1 }),
  /** The domain event's id: a consumer that meets the same id twice drops the second (at least once). */
  eventId: Type.String(),
  type: Type.String(),
  occurredAt: Type.String(),
  data: Type.Unknown(),
});
export type ExportRecord = Static<typeof ExportEnvelope>;

export function toRecord(rule: ExportRule, event: DomainEvent, pseudonymise: Pseudonymise): ExportRecord {
  return {
    schemaVersion: rule.schemaVersion,
    eventId: event.id,
    type: rule.type,
    occurredAt: event.occurredAt,
    data: rule.toData(event.data, pseudonymise),
  };
}

const checkers = new Map(EXPORTS.map((r) => [`${r.type}@${r.schemaVersion}`, Compile(r.schema)]));
const envelope = Compile(ExportEnvelope);

/** True when a record fits the envelope and the schema of its type and version (tests, consumers). */
export function isValidRecord(record: unknown): record is ExportRecord {
  if (!envelope.Check(record)) return false;
  const check = checkers.get(`${record.type}@${record.schemaVersion}`);
  return check !== undefined && check.Check(record.data);
}
