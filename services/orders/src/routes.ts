import { Type } from 'typebox';
import { newId, requireUser, validation, type HttpServer } from '@emporium/platform';
import type { Orders } from './orders.ts';

const tags = ['orders'];
const MoneyT = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const AddressT = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
  },
  { additionalProperties: false },
);
export const OrderT = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  status: Type.String(),
  total: MoneyT,
  lines: Type.Array(
    Type.Object({
      sku: Type.String(),
      productId: Type.String(),
      sellerId: Type.String(),
      title: Type.String(),
      quantity: Type.Integer(),
      unitPrice: MoneyT,
      lineTotal: MoneyT,
    }),
  ),
  shippingAddress: AddressT,
  fulfilments: Type.Array(
    Type.Object({
      id: Type.String(),
      sellerId: Type.String(),
      status: Type.String(),
      skus: Type.Array(Type.String()),
    }),
  ),
  history: Type.Array(
    Type.Object({ status: Type.String(), note: Type.Optional(Type.String()), at: Type.String() }),
  ),
  createdAt: Type.String(),
});
const ListT = Type.Object({
  items: Type.Array(OrderT),
  total: Type.Integer(),
  page: Type.Integer(),
  perPage: Type.Integer(),
});
const Paging = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
  perPage: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export function orderRoutes(orders: Orders) {
  return async (app: HttpServer) => {
    app.post(
      '/orders',
      {
        schema: {
          tags,
          summary:
            'Check out the cart: reserve stock, charge the card, create the order (Idempotency-Key header)',
          description:
            'A request with an Idempotency-Key already used by the caller answers what the first one led ' +
            'to (the order, or the same 402/409), whatever the cart holds now; the same key with another ' +
            'body is a 422. A declined attempt is answered here and kept out of GET /orders.',
          headers: Type.Object({
            'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          }),
          body: Type.Object(
            { shippingAddress: AddressT, paymentToken: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
          response: { 201: OrderT },
        },
        config: { auth: 'customer' },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const key = request.headers['idempotency-key'] ?? newId();
        if (typeof key !== 'string') throw validation('Idempotency-Key must be one value');
        const order = await orders.checkout(user.id, key, request.body);
        return reply.code(201).send(order);
      },
    );
    app.get(
      '/orders',
      {
        schema: {
          tags,
          summary: "The caller's orders, newest first (declined or out-of-stock checkout attempts excluded)",
          querystring: Paging,
          response: { 200: ListT },
        },
        config: { auth: 'authenticated' },
      },
      async (request) => orders.list(requireUser(request).id, request.query.page, request.query.perPage),
    );
    app.get(
      '/orders/:id',
      {
        schema: {
          tags,
          summary: 'One of the caller’s orders with status history and fulfilments',
          params: IdParams,
          response: { 200: OrderT },
        },
        config: { auth: 'authenticated' },
      },
      async (request) => orders.mine(requireUser(request).id, request.params.id),
    );
    app.post(
      '/orders/:id/cancel',
      {
        schema: {
          tags,
          summary: 'Cancel an order: releases the stock, or refunds a paid order',
          params: IdParams,
          response: { 200: OrderT },
        },
        config: { auth: 'authenticated' },
      },
      async (request) => orders.cancel(requireUser(request), request.params.id),
    );
    app.get(
      '/seller/orders',
      {
        schema: {
          tags,
          summary: "Orders containing the seller's items (its lines, their total and its fulfilment only)",
          querystring: Paging,
          response: { 200: ListT },
        },
        config: { auth: 'seller' },
      },
      async (request) =>
        orders.listForSeller(requireUser(request), request.query.page, request.query.perPage),
    );
  };
}

export function orderInternalRoutes(orders: Orders) {
  return async (app: HttpServer) => {
    app.get(
      '/orders/:id',
      {
        schema: {
          hide: true,
          tags,
          params: IdParams,
          response: { 200: Type.Object({ order: Type.Optional(OrderT) }) },
        },
      },
      async (r) => ({
        order: await orders.getOrder(r.params.id),
      }),
    );
  };
}
