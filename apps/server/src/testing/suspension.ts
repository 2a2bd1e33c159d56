import { expect } from 'vitest';
import { newId } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import type { RunningServer } from '../server.ts';

export const SUSPENSION_ADMIN = {
  email: `${uniqueName('suspension-admin')}@example.com`,
  password: 'granite-meadow-31-falcon',
};

type Answer = { status: number; contentType: string };

async function send(server: RunningServer, method: string, url: string, token?: string, body?: unknown) {
  const res = await server.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'idempotency-key': newId() },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  return { status: res.statusCode, contentType: String(res.headers['content-type']), body: res.body };
}

const CHECKOUT = {
  shippingAddress: {
    name: 'Sue Spended',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  },
  paymentToken: 'tok_visa',
};

/** What a customer's token gets on checkout, the cart and /me. */
async function probe(server: RunningServer, token: string): Promise<Record<string, Answer>> {
  const calls: [string, string, string, unknown?][] = [
    ['checkout', 'POST', '/api/v1/orders', CHECKOUT],
    ['cart', 'GET', '/api/v1/cart'],
    ['add to cart', 'POST', '/api/v1/cart/items', { sku: 'NONE', quantity: 1 }],
    ['me', 'GET', '/api/v1/me'],
  ];
  const answers: Record<string, Answer> = {};
  for (const [name, method, url, body] of calls) {
    const { status, contentType } = await send(server, method, url, token, body);
    answers[name] = { status, contentType };
  }
  return answers;
}

async function signIn(server: RunningServer, path: string, body: Record<string, unknown>) {
  const res = await send(server, 'POST', `/api/v1/auth/${path}`, undefined, body);
  expect(res.status, res.body).toBeLessThan(300);
  return JSON.parse(res.body) as { accessToken: string; user: { id: string } };
}

/**
 * Suspends a customer through the admin route and checks that the token it already holds is refused at
 * once on every route, as problem+json, and that it passes the gate again once reinstated.
 */
export async function expectSuspensionAtOnce(server: RunningServer): Promise<void> {
  const admin = await signIn(server, 'login', SUSPENSION_ADMIN);
  const customer = await signIn(server, 'register', {
    email: `${uniqueName('suspended')}@example.com`,
    password: 'violet-harbour-7-lantern',
    name: 'Sue Spended',
    role: 'customer',
  });
  // Used once first, so the signature check of this token is cached as it would be in real use.
  expect((await send(server, 'GET', '/api/v1/me', customer.accessToken)).status).toBe(200);

  const setStatus = (verb: string) =>
    send(server, 'POST', `/api/v1/users/${customer.user.id}/${verb}`, admin.accessToken, {});
  expect((await setStatus('suspend')).status).toBe(200);
  for (const [name, answer] of Object.entries(await probe(server, customer.accessToken))) {
    expect([401, 403], `${name} while suspended`).toContain(answer.status);
    expect(answer.contentType, name).toContain('application/problem+json');
  }

  expect((await setStatus('unsuspend')).status).toBe(200);
  for (const [name, answer] of Object.entries(await probe(server, customer.accessToken)))
    expect([401, 403], `${name} once reinstated (${answer.status})`).not.toContain(answer.status);
}
