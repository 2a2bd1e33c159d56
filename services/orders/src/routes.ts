import { Type } from 'typebox';
import { newId, requireUser, validation, type HttpServer } from '@emporium/platform';
import { guestCartIdOf } from '@emporium/cart';
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
  email: Type.Optional(Type.String({ description: "a guest order's e-mail" })),
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
const GuestOrderT = Type.Object({
  ...OrderT.properties,
  guestAccess: Type.Object(
    {
      token: Type.String({ description: 'opens the order at GET /orders/guest/{token}; keep it secret' }),
      url: Type.String(),
    },
    { description: 'the only way a guest reaches the order; the same on a retry with the same key' },
  ),
});
const GuestTokenT = Type.String({ minLength: 1, maxLength: 200 });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  'x-cart-id': Type.Optional(
    Type.String({ maxLength: 100, description: 'the guest cart (or the cart_id cookie)' }),
  ),
});
const PaymentTokenT = Type.String({ minLength: 1, maxLength: 200 });

function idempotencyKeyOf(headers: Record<string, unknown>): string {
  const key = headers['idempotency-key'] ?? newId();
  if (typeof key !== 'string') throw validation('Idempotency-Key must be one value');
  return key;
}

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
            {
              shippingAddress: Type.Optional(AddressT),
              shippingAddressId: Type.Optional(
                Type.String({
                  format: 'uuid',
                  description:
                    'an address of your address book (GET /me/addresses) instead of shippingAddress',
                }),
              ),
              paymentToken: PaymentTokenT,
            },
            { additionalProperties: false },
          ),
          response: { 201: OrderT },
        },
        config: { auth: 'customer' },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const order = await orders.checkout(user.id, idempotencyKeyOf(request.headers), request.body);
        return reply.code(201).send(order);
      },
    );
    app.post(
      '/orders/guest',
      {
        schema: {
          tags,
          summary: 'Check out a guest cart with an e-mail address (Idempotency-Key header)',
          description:
            'The guest cart is the X-Cart-Id header or the cart_id cookie. The answer carries ' +
            '`guestAccess.token`, the only way to read the order later (GET /orders/guest/{token}); a ' +
            'customer who signs in with the same e-mail links the order to the account with it ' +
            '(POST /orders/claim). Retries with the same key answer the same order and token.',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              email: Type.String({ minLength: 1, maxLength: 320 }),
              shippingAddress: AddressT,
              paymentToken: PaymentTokenT,
            },
            { additionalProperties: false },
          ),
          response: { 201: GuestOrderT },
        },
        config: { auth: 'public', problems: [402, 409, 422] },
      },
      async (request, reply) => {
        if (request.user)
          throw validation('You are signed in: check out your cart with POST /api/v1/orders', [
            {
              field: 'authorization',
              message: 'a guest checkout is for visitors without an account session',
            },
          ]);
        const cartId = guestCartIdOf(request);
        if (!cartId)
          throw validation('No guest cart', [
            {
              field: 'x-cart-id',
              message: 'is required: the cart id the cart answered (or its cart_id cookie)',
            },
          ]);
        const order = await orders.guestCheckout(cartId, idempotencyKeyOf(request.headers), request.body);
        return reply.code(201).send(order);
      },
    );
    app.get(
      '/orders/guest/:token',
      {
        schema: {
          tags,
          summary: 'A guest order, by the capability token its checkout answered',
          params: Type.Object({ token: GuestTokenT }),
          response: { 200: OrderT },
        },
        config: { auth: 'public' },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return orders.guestOrder(request.params.token);
      },
    );
    app.post(
      '/orders/claim',
      {
        schema: {
          tags,
          summary: "Link a guest order to the caller's account (same e-mail, and the order's token)",
          body: Type.Object({ token: GuestTokenT }, { additionalProperties: false }),
          response: { 200: OrderT },
        },
        config: { auth: 'customer' },
      },
      async (request) => orders.linkGuestOrder(requireUser(request).id, request.body.token),
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
