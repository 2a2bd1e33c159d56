import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isId, type HttpServer } from '@emporium/platform';
import type { CartCaller, Carts } from './cart.ts';
import type { CartView } from './types.ts';

const tags = ['cart'];
const COOKIE = 'cart_id';
const MoneyT = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const LineT = Type.Object({
  sku: Type.String(),
  quantity: Type.Integer(),
  productId: Type.String(),
  sellerId: Type.String(),
  title: Type.String(),
  variantTitle: Type.Optional(Type.String()),
  image: Type.Optional(Type.String()),
  unitPrice: MoneyT,
  lineTotal: MoneyT,
  available: Type.Integer(),
  inStock: Type.Boolean(),
  purchasable: Type.Boolean(),
});
export const CartT = Type.Object({
  id: Type.Optional(Type.String()),
  owner: Type.Union([Type.Literal('guest'), Type.Literal('customer')]),
  items: Type.Array(LineT),
  itemCount: Type.Integer(),
  subtotal: MoneyT,
});
const Headers = Type.Object({ 'x-cart-id': Type.Optional(Type.String({ maxLength: 100 })) });
const SkuParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }) });
// Limits are enforced in the domain (with a clear message); the schema only keeps the type sane.
const Quantity = Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 });

/** The cart_id cookie as sent (undefined when absent), not yet trusted. */
function rawCartCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * Cart ids are ids we issued; anything else in the cookie (a cut percent-encoding, a NUL, junk) names no
 * cart, so the caller is treated as having none and a write issues a fresh cookie. Refusing it instead
 * would lock a browser out of its cart over a cookie its user cannot see.
 */
function cookieCartId(request: FastifyRequest): string | undefined {
  const raw = rawCartCookie(request);
  if (raw === undefined) return undefined;
  try {
    const id = decodeURIComponent(raw);
    return isId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The guest cart a request names (X-Cart-Id header, else the cart_id cookie), if it is one of our ids. */
export function guestCartIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-cart-id'];
  const fromHeader = typeof header === 'string' && isId(header) ? header : undefined;
  return fromHeader ?? cookieCartId(request);
}

function caller(request: FastifyRequest): CartCaller {
  return { userId: request.user?.id, guestCartId: guestCartIdOf(request) };
}

/** Guests learn their cart id from the header and the cookie; after a merge the guest cookie is cleared. */
function answer(request: FastifyRequest, reply: FastifyReply, view: CartView, guestTtlSeconds: number) {
  if (view.owner === 'guest' && view.id) {
    reply.header('x-cart-id', view.id);
    reply.header(
      'set-cookie',
      `${COOKIE}=${view.id}; Path=/; Max-Age=${guestTtlSeconds}; HttpOnly; SameSite=Lax`,
    );
  } else if (view.owner === 'customer' && rawCartCookie(request) !== undefined) {
    reply.header('set-cookie', `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
  }
  return view;
}

export function cartRoutes(carts: Carts, guestTtlSeconds: number) {
  return async (app: HttpServer) => {
    const base = { tags, headers: Headers, response: { 200: CartT } };
    app.get(
      '/cart',
      {
        schema: {
          ...base,
          summary:
            "The caller's cart (guest: X-Cart-Id header or cart_id cookie), with current prices and stock",
        },
      },
      async (request, reply) => answer(request, reply, await carts.view(caller(request)), guestTtlSeconds),
    );
    app.post(
      '/cart/items',
      {
        schema: {
          ...base,
          summary: 'Add a quantity of a SKU to the cart (creates a guest cart when needed)',
          body: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }), quantity: Quantity }),
        },
      },
      async (request, reply) => {
        const view = await carts.setItem(caller(request), request.body.sku, request.body.quantity, 'add');
        return answer(request, reply, view, guestTtlSeconds);
      },
    );
    app.patch(
      '/cart/items/:sku',
      {
        schema: {
          ...base,
          summary: 'Set the quantity of a SKU in the cart',
          params: SkuParams,
          body: Type.Object({ quantity: Quantity }),
        },
      },
      async (request, reply) => {
        const view = await carts.setItem(caller(request), request.params.sku, request.body.quantity, 'set');
        return answer(request, reply, view, guestTtlSeconds);
      },
    );
    app.delete(
      '/cart/items/:sku',
      { schema: { ...base, summary: 'Remove a SKU from the cart', params: SkuParams } },
      async (request, reply) =>
        answer(request, reply, await carts.removeItem(caller(request), request.params.sku), guestTtlSeconds),
    );
  };
}

export function cartInternalRoutes(carts: Carts) {
  return async (app: HttpServer) => {
    const schema = { hide: true, tags };
    const Customer = Type.Object({ customerId: Type.String({ minLength: 1, maxLength: 100 }) });
    app.get(
      '/customers/:customerId',
      { schema: { ...schema, params: Customer, response: { 200: CartT } } },
      async (r) => carts.getCustomerCart(r.params.customerId),
    );
    app.post(
      '/customers/:customerId/checked-out',
      {
        schema: {
          ...schema,
          params: Customer,
          body: Type.Object({
            orderId: Type.String(),
            lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
          }),
        },
      },
      async (request, reply) => {
        await carts.markCheckedOut(request.params.customerId, request.body.orderId, request.body.lines);
        return reply.code(204).send();
      },
    );
    const Guest = Type.Object({ cartId: Type.String({ minLength: 1, maxLength: 100 }) });
    app.get(
      '/guests/:cartId',
      { schema: { ...schema, params: Guest, response: { 200: CartT } } },
      async (r) => carts.getGuestCart(r.params.cartId),
    );
    app.post(
      '/guests/:cartId/checked-out',
      {
        schema: {
          ...schema,
          params: Guest,
          body: Type.Object({
            orderId: Type.String(),
            lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
          }),
        },
      },
      async (request, reply) => {
        await carts.markGuestCheckedOut(request.params.cartId, request.body.orderId, request.body.lines);
        return reply.code(204).send();
      },
    );
  };
}
