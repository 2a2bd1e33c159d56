// TypeBox schemas of the recommendations routes: validation, serialisation and OpenAPI from one source.
import { Type } from 'typebox';
import { BEHAVIOUR_KINDS, PLACEMENTS } from './types.ts';
import { MAX_EVENTS_PER_CALL } from './signals.ts';

const Id = Type.String({ minLength: 1, maxLength: 100 });
/** A catalog product id (a uuid): a malformed one is refused where events enter, not stored. */
const ProductId = Type.String({ format: 'uuid', description: 'a catalog product id' });
export const SessionId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' });

export const BehaviourEventT = Type.Object(
  {
    type: Type.Union(BEHAVIOUR_KINDS.map((k) => Type.Literal(k))),
    productId: Type.Optional(ProductId),
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const EventsBody = Type.Object(
  {
    sessionId: Type.Optional(SessionId),
    events: Type.Array(BehaviourEventT, { minItems: 1, maxItems: MAX_EVENTS_PER_CALL }),
  },
  { additionalProperties: false },
);

export const SessionHeader = Type.Object({ 'x-session-id': Type.Optional(SessionId) });

export const RecommendationsQuery = Type.Object({
  placement: Type.Union(
    PLACEMENTS.map((p) => Type.Literal(p)),
    { default: 'home' },
  ),
  productId: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  sessionId: Type.Optional(SessionId),
});

const MoneyT = Type.Object({ amount: Type.Integer(), currency: Type.String() });

export const RecommendationListT = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      brand: Type.Union([Type.String(), Type.Null()]),
      categoryPath: Type.Array(Type.String()),
      price: MoneyT,
      rating: Type.Number(),
      ratingCount: Type.Integer(),
      image: Type.Optional(Type.String()),
      score: Type.Number(),
    }),
  ),
  strategy: Type.String({
    description:
      'personalised | viewed-together | complete-the-order (trained model); content-neighbours | ' +
      'trending-in-categories | trending | catalogue-top-rated (cold start)',
  }),
  placement: Type.String(),
  modelVersion: Type.Optional(Type.String()),
});

export const ModelInfoT = Type.Object({
  version: Type.String(),
  kind: Type.String(),
  trainedAt: Type.String(),
  users: Type.Integer(),
  items: Type.Integer(),
  interactions: Type.Integer(),
  trainMs: Type.Integer(),
});
