import { Type } from 'typebox';
import { requireUser, type HttpServer } from '@emporium/platform';
import { BODY_MAX, REPORT_REASON_MAX, TITLE_MAX, type ProductReviews } from './reviews.ts';
import { COMMENT_MAX, type SellerRatings } from './seller-ratings.ts';
import { HistogramSchema } from './types.ts';

const tags = ['reviews'];
const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Id });
const Stars = Type.Integer({ minimum: 1, maximum: 5, description: 'Whole stars, 1 to 5' });

const ReviewT = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  rating: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  authorName: Type.String(),
  verifiedPurchase: Type.Boolean(),
  helpfulVotes: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** The author's and the moderators' view adds the moderation fields. */
const ModeratedReviewT = Type.Object({
  ...ReviewT.properties,
  status: Type.Optional(Type.Union([Type.Literal('visible'), Type.Literal('hidden')])),
  reports: Type.Optional(Type.Integer()),
  moderationNote: Type.Optional(Type.String()),
});
const PageOf = <T extends typeof ReviewT | typeof ModeratedReviewT>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Optional(Type.String()) });
const SummaryT = Type.Object({
  productId: Type.String(),
  average: Type.Number(),
  count: Type.Integer(),
  histogram: HistogramSchema,
});
const SellerRatingT = Type.Object({
  orderId: Type.String(),
  sellerId: Type.String(),
  rating: Type.Integer(),
  comment: Type.Optional(Type.String()),
  createdAt: Type.String(),
});
const SellerSummaryT = Type.Object({
  sellerId: Type.String(),
  positivePercent: Type.Union([Type.Number(), Type.Null()]),
  count: Type.Integer(),
  windowMonths: Type.Integer(),
});

const Title = Type.String({ minLength: 1, maxLength: TITLE_MAX });
const Body = Type.String({ minLength: 1, maxLength: BODY_MAX });
const Cursor = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const Limit = Type.Integer({ minimum: 1, maximum: 50, default: 10 });
const Sort = Type.Union(
  [Type.Literal('helpful'), Type.Literal('newest'), Type.Literal('rating_high'), Type.Literal('rating_low')],
  { default: 'helpful' },
);

export function reviewRoutes(reviews: ProductReviews, sellers: SellerRatings) {
  return async (app: HttpServer) => {
    productReviewRoutes(app, reviews);
    reviewActionRoutes(app, reviews);
    moderationRoutes(app, reviews);
    sellerRatingRoutes(app, sellers);
  };
}

function productReviewRoutes(app: HttpServer, reviews: ProductReviews) {
  app.get(
    '/products/:id/reviews',
    {
      schema: {
        tags,
        summary: "A product's visible reviews: most helpful first, or newest, or by rating",
        params: IdParams,
        querystring: Type.Object(
          { sort: Sort, cursor: Cursor, limit: Limit },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(ReviewT) },
      },
      config: { auth: 'public' },
    },
    async (r) => reviews.list(r.params.id, r.query.sort, r.query.limit, r.query.cursor),
  );
  app.get(
    '/products/:id/reviews/summary',
    {
      schema: {
        tags,
        summary: "A product's rating over its visible reviews: average, count and stars histogram",
        params: IdParams,
        response: { 200: SummaryT },
      },
      config: { auth: 'public' },
    },
    async (r) => reviews.summary(r.params.id),
  );
  app.post(
    '/products/:id/reviews',
    {
      schema: {
        tags,
        summary: 'Review a product you bought (one review per customer and product)',
        description:
          'Only a customer with a paid order of the product that was not cancelled or refunded may review ' +
          'it (403 otherwise); a second review of the same product is a 409 naming the first.',
        params: IdParams,
        body: Type.Object(
          {
            rating: Stars,
            title: Title,
            body: Body,
            orderId: Type.Optional(
              Type.String({
                format: 'uuid',
                description: 'The order the product came in: counts a purchase paid a moment ago at once',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ModeratedReviewT },
      },
      config: { auth: 'customer', problems: [409] },
    },
    async (r, reply) => reply.code(201).send(await reviews.create(requireUser(r), r.params.id, r.body)),
  );
}

function reviewActionRoutes(app: HttpServer, reviews: ProductReviews) {
  app.get(
    '/reviews/:id',
    {
      schema: {
        tags,
        summary: 'One review (a hidden one only for its author and admins)',
        params: IdParams,
        response: { 200: ModeratedReviewT },
      },
      config: { auth: 'public' },
    },
    async (r) => reviews.get(r.user, r.params.id),
  );
  app.patch(
    '/reviews/:id',
    {
      schema: {
        tags,
        summary: 'Edit your review',
        params: IdParams,
        body: Type.Object(
          { rating: Type.Optional(Stars), title: Type.Optional(Title), body: Type.Optional(Body) },
          { additionalProperties: false },
        ),
        response: { 200: ModeratedReviewT },
      },
      config: { auth: 'customer' },
    },
    async (r) => reviews.edit(requireUser(r), r.params.id, r.body),
  );
  app.delete(
    '/reviews/:id',
    {
      schema: { tags, summary: 'Withdraw your review (admins: remove one for good)', params: IdParams },
      config: { auth: 'authenticated' },
    },
    async (r, reply) => {
      await reviews.remove(requireUser(r), r.params.id);
      return reply.code(204).send();
    },
  );
  for (const [method, helpful] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const)
    app.route({
      method,
      url: '/reviews/:id/helpful-vote',
      schema: {
        tags,
        summary: helpful
          ? 'Mark a review helpful (once per customer; not your own)'
          : 'Take back your helpful vote',
        params: IdParams,
        response: { 200: ReviewT },
      },
      config: { auth: 'customer' },
      handler: async (r) => reviews.vote(requireUser(r), r.params.id, helpful),
    });
  app.post(
    '/reviews/:id/reports',
    {
      schema: {
        tags,
        summary: 'Report a review to the moderators (once per customer)',
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: REPORT_REASON_MAX }) },
          { additionalProperties: false },
        ),
      },
      config: { auth: 'customer' },
    },
    async (r, reply) => {
      await reviews.report(requireUser(r), r.params.id, r.body.reason);
      return reply.code(202).send();
    },
  );
}

function moderationRoutes(app: HttpServer, reviews: ProductReviews) {
  app.get(
    '/reviews/reported',
    {
      schema: {
        tags,
        summary: 'Reported reviews, most reported first (moderation queue)',
        querystring: Type.Object({ cursor: Cursor, limit: Limit }, { additionalProperties: false }),
        response: { 200: PageOf(ModeratedReviewT) },
      },
      config: { auth: 'admin' },
    },
    async (r) => reviews.reported(r.query.limit, r.query.cursor),
  );
  for (const [action, status] of [
    ['hide', 'hidden'],
    ['restore', 'visible'],
  ] as const)
    app.post(
      `/reviews/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'hide'
              ? 'Hide a review: it leaves the public list and the rating'
              : 'Show a hidden review again',
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              { note: Type.Optional(Type.String({ minLength: 1, maxLength: REPORT_REASON_MAX })) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: ModeratedReviewT },
        },
        config: { auth: 'admin' },
      },
      async (r) => reviews.moderate(r.params.id, status, r.body?.note),
    );
}

function sellerRatingRoutes(app: HttpServer, sellers: SellerRatings) {
  app.post(
    '/seller-ratings',
    {
      schema: {
        tags,
        summary: 'Rate a seller of your paid order (once per order and seller)',
        body: Type.Object(
          {
            orderId: Id,
            sellerId: Id,
            rating: Stars,
            comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })),
          },
          { additionalProperties: false },
        ),
        response: { 201: SellerRatingT },
      },
      config: { auth: 'customer', problems: [409, 422] },
    },
    async (r, reply) => reply.code(201).send(await sellers.rate(requireUser(r), r.body)),
  );
  app.get(
    '/seller-ratings',
    {
      schema: {
        tags,
        summary: 'Your ratings of the sellers of one of your orders',
        querystring: Type.Object({ orderId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(SellerRatingT) }) },
      },
      config: { auth: 'customer' },
    },
    async (r) => ({ items: await sellers.ofOrder(requireUser(r), r.query.orderId) }),
  );
  app.get(
    '/sellers/:id/rating',
    {
      schema: {
        tags,
        summary:
          "A seller's feedback: share of 4 and 5 star ratings over the last 12 months, and their count",
        params: IdParams,
        response: { 200: SellerSummaryT },
      },
      config: { auth: 'public' },
    },
    async (r) => sellers.summary(r.params.id),
  );
}

export function reviewInternalRoutes(reviews: ProductReviews, sellers: SellerRatings) {
  return async (app: HttpServer) => {
    app.get(
      '/products/:id/rating',
      { schema: { hide: true, tags, params: IdParams, response: { 200: SummaryT } } },
      async (r) => reviews.productRating(r.params.id),
    );
    app.get(
      '/sellers/:id/rating',
      { schema: { hide: true, tags, params: IdParams, response: { 200: SellerSummaryT } } },
      async (r) => sellers.sellerRating(r.params.id),
    );
  };
}
