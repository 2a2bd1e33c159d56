// What the recommendations service tells others: each behaviour event it stored, through its outbox.
import { Type, type Static } from 'typebox';
import { defineEvent } from '@emporium/platform';

/** One view, click, add-to-cart or search a client reported and the log kept (analytics exports it). */
export const BehaviourRecorded = defineEvent(
  'recommendations.behaviour.recorded',
  Type.Object({
    kind: Type.Union([
      Type.Literal('view'),
      Type.Literal('click'),
      Type.Literal('add_to_cart'),
      Type.Literal('search'),
    ]),
    userId: Type.Optional(Type.String()),
    sessionId: Type.Optional(Type.String()),
    productId: Type.Optional(Type.String()),
    query: Type.Optional(Type.String()),
  }),
);
export type BehaviourRecordedEvent = Static<typeof BehaviourRecorded.schema>;
