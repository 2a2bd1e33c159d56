import { Type } from 'typebox';
import { requireUser, type HttpServer } from '@emporium/platform';
import type { NotificationsApi } from './types.ts';

const tags = ['notifications'];
const NotificationT = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  orderId: Type.String(),
  status: Type.String(),
  subject: Type.Optional(Type.String()),
  createdAt: Type.String(),
  sentAt: Type.Optional(Type.String()),
});
const ListT = Type.Object({ items: Type.Array(NotificationT) });
const LimitQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);

export function notificationRoutes(api: NotificationsApi) {
  return async (app: HttpServer) => {
    app.get(
      '/notifications',
      {
        schema: {
          tags,
          summary:
            "The caller's own notices (order confirmations, shipping, refunds; new orders for sellers)",
          querystring: LimitQuery,
          response: { 200: ListT },
        },
        config: { auth: 'authenticated' },
      },
      async (request) => ({ items: await api.listFor(requireUser(request).id, request.query.limit) }),
    );
  };
}

/** Service-to-service: the same list for any recipient (support tools, other processes). */
export function notificationInternalRoutes(api: NotificationsApi) {
  return async (app: HttpServer) => {
    app.get(
      '/recipients/:id/notifications',
      {
        schema: {
          hide: true,
          tags,
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
          querystring: LimitQuery,
          response: { 200: ListT },
        },
      },
      async (request) => ({ items: await api.listFor(request.params.id, request.query.limit) }),
    );
  };
}
