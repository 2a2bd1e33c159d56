// HTTP routes: public signal intake and recommendations, internal routes behind the HTTP client.
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { HttpServer } from '@emporium/platform';
import {
  EventsBody,
  ModelInfoT,
  RecommendationListT,
  RecommendationsQuery,
  SessionHeader,
  SessionId,
  BehaviourEventT,
} from './schemas.ts';
import { PLACEMENTS, type Actor, type RecommendationsApi } from './types.ts';

const tags = ['recommendations'];

function actorOf(request: FastifyRequest, bodySession?: string): Actor {
  const header = request.headers['x-session-id'];
  const sessionId = bodySession ?? (typeof header === 'string' && header ? header : undefined);
  return { ...(request.user ? { userId: request.user.id } : {}), ...(sessionId ? { sessionId } : {}) };
}

export function publicRoutes(api: Pick<RecommendationsApi, 'recommend' | 'record'>) {
  return async (app: HttpServer) => {
    app.post(
      '/events',
      {
        // anonymous shoppers send signals too (with a session id); a token, when sent, names the user
        config: { auth: 'public' },
        schema: {
          tags,
          summary:
            'Record behaviour events (view, click, add_to_cart, search) of the caller or of an anonymous session',
          headers: SessionHeader,
          body: EventsBody,
          response: { 202: Type.Object({ accepted: Type.Integer() }) },
        },
      },
      async (request, reply) => {
        const accepted = await api.record(actorOf(request, request.body.sessionId), request.body.events);
        return reply.code(202).send({ accepted });
      },
    );
    app.get(
      '/recommendations',
      {
        // public, but personal (session header, token): never declared publicly cacheable
        config: { auth: 'public' },
        schema: {
          tags,
          summary:
            'Recommendations for a placement: home (for you), product (viewed/bought together), cart (complete your order)',
          headers: SessionHeader,
          querystring: RecommendationsQuery,
          response: { 200: RecommendationListT },
        },
      },
      async (request) => {
        const q = request.query;
        return api.recommend({
          ...actorOf(request, q.sessionId),
          placement: q.placement,
          limit: q.limit,
          ...(q.productId ? { productId: q.productId } : {}),
        });
      },
    );
  };
}

export function internalRoutes(api: RecommendationsApi) {
  return async (app: HttpServer) => {
    const schema = { hide: true, tags };
    const ActorT = { userId: Type.Optional(Type.String()), sessionId: Type.Optional(SessionId) };
    app.post(
      '/recommend',
      {
        schema: {
          ...schema,
          body: Type.Object({
            ...ActorT,
            placement: Type.Union(PLACEMENTS.map((p) => Type.Literal(p))),
            productId: Type.Optional(Type.String()),
            limit: Type.Integer({ minimum: 1, maximum: 50 }),
          }),
          response: { 200: RecommendationListT },
        },
      },
      async (request) => api.recommend(request.body),
    );
    app.post(
      '/events',
      {
        schema: {
          ...schema,
          body: Type.Object({ ...ActorT, events: Type.Array(BehaviourEventT) }),
          response: { 200: Type.Object({ accepted: Type.Integer() }) },
        },
      },
      async (request) => {
        const { events, ...actor } = request.body;
        return { accepted: await api.record(actor, events) };
      },
    );
    app.post(
      '/train',
      {
        schema: {
          ...schema,
          response: { 200: Type.Object({ model: Type.Union([ModelInfoT, Type.Null()]) }) },
        },
      },
      async () => ({ model: (await api.train()) ?? null }),
    );
  };
}
