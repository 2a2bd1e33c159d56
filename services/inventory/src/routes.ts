import { Type } from 'typebox';
import { forbidden, requireActor, requireUser, type HttpServer } from '@emporium/platform';
import type { Inventory } from './inventory.ts';
import { StockRequested } from './types.ts';

const tags = ['inventory'];
const StockLevel = Type.Object({
  sku: Type.String(),
  sellerId: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
});
const Line = Type.Object({ sku: Type.String(), quantity: Type.Integer() });
const Reservation = Type.Object({
  id: Type.String(),
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('committed'),
    Type.Literal('released'),
    Type.Literal('restocked'),
  ]),
  lines: Type.Array(Line),
  expiresAt: Type.String(),
});
const SkuParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export function publicRoutes(inventory: Inventory) {
  return async (app: HttpServer) => {
    app.put(
      '/seller/inventory/:sku',
      {
        schema: {
          tags,
          summary: "Set the on-hand stock of one of the seller's SKUs",
          params: SkuParams,
          body: Type.Object({ onHand: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }),
          response: { 200: StockLevel },
        },
        config: { auth: 'seller' },
      },
      async (request) => inventory.setStock(requireUser(request), request.params.sku, request.body.onHand),
    );
    app.get(
      '/seller/inventory',
      {
        schema: {
          tags,
          summary: 'Stock levels of the given SKUs (the seller sees only its own)',
          querystring: Type.Object({ skus: Type.String({ minLength: 1, maxLength: 10_000 }) }),
          response: { 200: Type.Object({ items: Type.Array(StockLevel) }) },
        },
        config: { auth: 'seller' },
      },
      async (request) => {
        const user = requireUser(request);
        const levels = await inventory.getStock(request.query.skus.split(',').slice(0, 500));
        return { items: levels.filter((l) => user.role === 'admin' || l.sellerId === user.id) };
      },
    );
  };
}

/** Service-to-service routes: the HTTP face of InventoryApi (mounted under /internal/inventory). */
export function internalRoutes(inventory: Inventory) {
  return async (app: HttpServer) => {
    const hide = { hide: true, tags };
    app.post(
      '/skus',
      {
        schema: {
          ...hide,
          body: Type.Object({
            items: Type.Array(Type.Object({ sku: Type.String(), sellerId: Type.String() }), {
              maxItems: 1000,
            }),
          }),
        },
      },
      async (request, reply) => {
        await inventory.registerSkus(request.body.items);
        return reply.code(204).send();
      },
    );
    app.post(
      '/stock-requests',
      {
        schema: {
          ...hide,
          body: Type.Object({
            id: Type.String({ format: 'uuid' }),
            type: Type.Literal(StockRequested.type),
            subject: Type.String(),
            occurredAt: Type.String(),
            data: StockRequested.schema,
          }),
          response: {
            200: Type.Object({
              applied: Type.Boolean(),
              refused: Type.Array(Type.Object({ sku: Type.String(), reason: Type.String() })),
            }),
          },
        },
      },
      // The request names its actor, as recorded with the product's write; the signed service token must
      // name the same one, or any caller could write stock in a seller's name.
      async (request) => {
        const actor = requireActor(request);
        const named = request.body.data.actor;
        if (actor.id !== named.id || actor.role !== named.role)
          throw forbidden('The stock request names another actor than the service token');
        return inventory.applyStockRequest(request.body);
      },
    );
    app.put(
      '/stock/:sku',
      {
        schema: {
          ...hide,
          params: SkuParams,
          body: Type.Object({ onHand: Type.Integer() }),
          response: { 200: StockLevel },
        },
      },
      // The seller comes from the signed service token: a body could name anyone.
      async (request) => inventory.setStock(requireActor(request), request.params.sku, request.body.onHand),
    );
    app.post(
      '/availability',
      {
        schema: {
          ...hide,
          body: Type.Object({ skus: Type.Array(Type.String(), { maxItems: 1000 }) }),
          response: {
            200: Type.Record(
              Type.String(),
              Type.Object({ available: Type.Integer(), inStock: Type.Boolean() }),
            ),
          },
        },
      },
      async (request) => inventory.getAvailability(request.body.skus),
    );
    app.post(
      '/reservations',
      {
        schema: {
          ...hide,
          body: Type.Object({
            reservationId: Type.String(),
            lines: Type.Array(Line),
            ttlSeconds: Type.Optional(Type.Integer()),
          }),
          response: { 200: Reservation },
        },
      },
      async (request) => inventory.reserve(request.body),
    );
    app.post(
      '/reservations/:id/commit',
      { schema: { ...hide, params: IdParams } },
      async (request, reply) => {
        await inventory.commit(request.params.id);
        return reply.code(204).send();
      },
    );
    app.post(
      '/reservations/:id/release',
      {
        schema: { ...hide, params: IdParams, body: Type.Object({ reason: Type.String({ maxLength: 200 }) }) },
      },
      async (request, reply) => {
        await inventory.release(request.params.id, request.body.reason);
        return reply.code(204).send();
      },
    );
    app.post(
      '/reservations/:id/restock',
      {
        schema: { ...hide, params: IdParams, body: Type.Object({ reason: Type.String({ maxLength: 200 }) }) },
      },
      async (request, reply) => {
        await inventory.restock(request.params.id, request.body.reason);
        return reply.code(204).send();
      },
    );
  };
}
