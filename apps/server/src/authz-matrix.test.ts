/**
 * The authorisation matrix: every protected route of the composed app × {anonymous, customer, other
 * customer, seller, other seller, admin, a suspended customer, another service}, generated from Fastify's route table, so a route added by
 * anyone is in the matrix the moment it exists. Each cell's expectation derives from the route's
 * `config.auth`, refined by an ownership fixture where a resource belongs to someone.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newId, ServiceTokens, type RouteAccess } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import type { RouteEntry } from './testing/route-table.ts';
import { fillUrl } from './testing/route-table.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';

const routeTable = vi.hoisted(() => [] as RouteEntry[]);
vi.mock('@emporium/platform', async (importOriginal) =>
  (await import('./testing/route-table.ts')).platformRecordingRoutes(importOriginal, routeTable),
);

type Identity =
  'anonymous' | 'customer' | 'otherCustomer' | 'seller' | 'otherSeller' | 'admin' | 'suspended' | 'service';
const IDENTITIES: Identity[] = [
  'anonymous',
  'customer',
  'otherCustomer',
  'seller',
  'otherSeller',
  'admin',
  'suspended',
  'service',
];
/** Identities refused whatever the route: a suspended account's token, a service token (not an access token). */
const refusedEverywhere: Partial<Record<Identity, Expectation>> = {
  suspended: 'refused',
  service: 'unauthorized',
};
const roleOf: Record<
  Exclude<Identity, 'anonymous' | 'suspended' | 'service'>,
  'customer' | 'seller' | 'admin'
> = {
  customer: 'customer',
  otherCustomer: 'customer',
  seller: 'seller',
  otherSeller: 'seller',
  admin: 'admin',
};

/** What a cell may answer. */
type Expectation = 'unauthorized' | 'forbidden' | 'refused' | 'success' | 'passes-gate' | 'denied-or-hidden';
const accepts: Record<Expectation, (status: number) => boolean> = {
  unauthorized: (s) => s === 401,
  refused: (s) => s === 401 || s === 403,
  forbidden: (s) => s === 403,
  success: (s) => s >= 200 && s < 300,
  // Past the gateway's role check: the handler ran (its answer may be a 400 for the empty body or a 404
  // for the made-up id), but never 401/403, and never a crash.
  'passes-gate': (s) => s !== 401 && s !== 403 && s < 500,
  'denied-or-hidden': (s) => s === 403 || s === 404,
};

function expectationFromAccess(access: RouteAccess, who: Identity): Expectation {
  if (who === 'anonymous') return 'unauthorized';
  if (who === 'suspended' || who === 'service') return refusedEverywhere[who]!;
  const role = roleOf[who];
  if (role === 'admin' || access === 'authenticated' || access === role) return 'passes-gate';
  return 'forbidden';
}

interface Fixture {
  /** Creates what the request acts on, as its owner; called for every cell, so each starts fresh. */
  setup(ctx: Context): Promise<{ params: Record<string, string>; body?: unknown }>;
  /** Overrides for the identities whose answer depends on ownership. */
  expect: Partial<Record<Identity, Expectation>>;
}

interface Context {
  call(
    method: string,
    url: string,
    who: Identity,
    body?: unknown,
  ): Promise<{ statusCode: number; body: string }>;
}

const ADDRESS = {
  name: 'Ann Owner',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
const customerAddress: Fixture = {
  async setup(ctx) {
    const res = await ctx.call('POST', '/api/v1/me/addresses', 'customer', ADDRESS);
    return { params: { id: (JSON.parse(res.body) as { id: string }).id }, body: { city: 'Shelbyville' } };
  },
  // `/me/...` is the caller's own book: for anyone else the id does not exist.
  expect: { customer: 'success', otherCustomer: 'denied-or-hidden', admin: 'denied-or-hidden' },
};

let productCounter = 0;
/** A product of `seller` (catalog's create shape, DESIGN.md section 4), with skus unique to this run. */
async function sellersProduct(ctx: Context) {
  const tag = `${uniqueName('mx')}${productCounter++}`.toUpperCase();
  const res = await ctx.call('POST', '/api/v1/seller/products', 'seller', {
    title: `Matrix Lamp ${tag}`,
    description: 'A lamp that belongs to the seller identity',
    brand: 'Matrix',
    category: 'Home/Lighting',
    attributes: {},
    status: 'active',
    variants: [{ sku: `MX-${tag}`, price: { amount: 1999, currency: 'EUR' }, attributes: {} }],
  });
  if (res.statusCode !== 201) throw new Error(`fixture product: ${res.statusCode} ${res.body}`);
  return { id: (JSON.parse(res.body) as { id: string }).id, sku: `MX-${tag}` };
}

// A seller manages only its own products and stock: the other seller is refused or sees nothing.
const sellerOwns = { seller: 'success', otherSeller: 'denied-or-hidden' } as const;
const sellersProductById: Fixture = {
  async setup(ctx) {
    const { id } = await sellersProduct(ctx);
    return { params: { id }, body: { title: 'Matrix Lamp, renamed' } };
  },
  expect: sellerOwns,
};

/**
 * Ownership fixtures by route. A protected route with a resource id and no fixture is still in the matrix
 * (anonymous, wrong role, right role past the gate); a fixture adds "the owner succeeds, the other one is
 * refused or sees nothing".
 */
const FIXTURES: Record<string, Fixture> = {
  'GET /api/v1/me/addresses/:id': customerAddress,
  'PATCH /api/v1/me/addresses/:id': customerAddress,
  'DELETE /api/v1/me/addresses/:id': customerAddress,
  'GET /api/v1/seller/products/:id': sellersProductById,
  'PATCH /api/v1/seller/products/:id': sellersProductById,
  'DELETE /api/v1/seller/products/:id': sellersProductById,
  'PUT /api/v1/seller/inventory/:sku': {
    async setup(ctx) {
      const { sku } = await sellersProduct(ctx);
      return { params: { sku }, body: { onHand: 7 } };
    },
    expect: sellerOwns,
  },
};

/**
 * Routes under /api/v1 that are public without saying so. Every other route must declare `config.auth`:
 * a route that forgets it would be open to everyone, which is exactly the mistake this test exists for.
 */
const IMPLICITLY_PUBLIC = new Set<string>([
  'GET /api/v1/categories',
  'GET /api/v1/products',
  'GET /api/v1/products/:id',
  'GET /api/v1/images/:file',
  // Carts: a guest's cart is named by X-Cart-Id; a signed-in caller's is found from the token.
  'GET /api/v1/cart',
  'POST /api/v1/cart/items',
  'PATCH /api/v1/cart/items/:sku',
  'DELETE /api/v1/cart/items/:sku',
]);

const ADMIN_EMAIL = `${uniqueName('matrix-admin')}@example.com`;
const ADMIN_PASSWORD = 'granite-meadow-31-falcon';
const SERVICE_KEY = randomBytes(32).toString('hex');
let server: TestStore;
const tokens = new Map<Identity, string>();
let ipCounter = 0;

const ctx: Context = {
  async call(method, url, who, body) {
    const token = tokens.get(who);
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      remoteAddress: `10.66.${Math.floor(ipCounter / 250) % 250}.${ipCounter++ % 250}`,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'idempotency-key': newId() },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { statusCode: res.statusCode, body: res.body };
  },
};

async function signIn(who: Identity, body: Record<string, unknown>, path = '/api/v1/auth/register') {
  const res = await ctx.call('POST', path, 'anonymous', body);
  if (res.statusCode >= 300) throw new Error(`cannot sign in ${who}: ${res.statusCode} ${res.body}`);
  tokens.set(who, (JSON.parse(res.body) as { accessToken: string }).accessToken);
}

/** Suspends the account behind `who`'s token; the token itself is kept, as a client would keep it. */
async function suspend(who: Identity) {
  const me = await ctx.call('GET', '/api/v1/me', who);
  const { id } = JSON.parse(me.body) as { id: string };
  const res = await ctx.call('POST', `/api/v1/users/${id}/suspend`, 'admin', {});
  if (res.statusCode !== 200) throw new Error(`cannot suspend ${who}: ${res.statusCode} ${res.body}`);
}

beforeAll(async () => {
  server = await startTestStore({ ADMIN_EMAIL, ADMIN_PASSWORD, SERVICE_KEY });
  const password = 'violet-harbour-7-lantern';
  const person = (role: string, extra: Record<string, unknown> = {}) => ({
    email: `${uniqueName(role)}@example.com`,
    password,
    name: `Matrix ${role}`,
    role,
    ...extra,
  });
  await signIn('customer', person('customer'));
  await signIn('otherCustomer', person('customer'));
  await signIn('seller', person('seller', { storeName: uniqueName('Matrix Store') }));
  await signIn('otherSeller', person('seller', { storeName: uniqueName('Other Store') }));
  await signIn('admin', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, '/api/v1/auth/login');
  await signIn('suspended', person('customer'));
  await suspend('suspended');
  // Signed with this deployment's key and acting for the admin: still not an access token.
  const admin = await ctx.call('GET', '/api/v1/me', 'admin');
  const adminUser = { id: (JSON.parse(admin.body) as { id: string }).id, role: 'admin' as const };
  tokens.set('service', await new ServiceTokens(SERVICE_KEY, ['orders']).issue('users', adminUser));
}, 180_000);

afterAll(async () => {
  await server?.close();
});

const apiRoutes = () => routeTable.filter((r) => r.url.startsWith('/api/v1/'));
const protectedRoutes = () => routeTable.filter((r) => (r.auth ?? 'public') !== 'public');

describe('authorisation matrix', () => {
  it('sees the route table (the users routes at least)', () => {
    const keys = new Set(protectedRoutes().map((r) => r.key));
    for (const key of ['GET /api/v1/me', 'PATCH /api/v1/me', 'POST /api/v1/users/:id/suspend'])
      expect(keys).toContain(key);
  });

  it('has every /api/v1 route declare who may call it', () => {
    const undeclared = apiRoutes()
      .filter((r) => r.auth === undefined && !IMPLICITLY_PUBLIC.has(r.key))
      .map((r) => r.key);
    expect(
      undeclared,
      'declare config.auth on these routes (or, if public by design, list them in IMPLICITLY_PUBLIC)',
    ).toEqual([]);
  });

  it('has a fixture only for routes that exist and are protected', () => {
    const keys = new Set(protectedRoutes().map((r) => r.key));
    expect(Object.keys(FIXTURES).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('answers every protected route × identity as its access rule and ownership say', async () => {
    const failures: string[] = [];
    const cells: string[] = [];
    for (const route of protectedRoutes()) {
      const fixture = FIXTURES[route.key];
      for (const who of IDENTITIES) {
        const expected =
          refusedEverywhere[who] ?? fixture?.expect[who] ?? expectationFromAccess(route.auth!, who);
        const prepared = fixture ? await fixture.setup(ctx) : { params: {}, body: undefined };
        const url = fillUrl(route.url, prepared.params, () => newId());
        const body = prepared.body ?? (['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined);
        const res = await ctx.call(route.method, url, who, body);
        cells.push(`${route.key} × ${who} → ${res.statusCode}`);
        if (!accepts[expected](res.statusCode)) {
          failures.push(
            `${route.key} × ${who}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 160)}`,
          );
        }
      }
    }
    expect(cells.length).toBe(protectedRoutes().length * IDENTITIES.length);
    expect(failures).toEqual([]);
  }, 120_000);
});
