import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@emporium/platform/testing';
import { GOOD_PASSWORD, usersHarness, type UsersHarness } from './testing/harness.ts';
import { client, type SessionBody } from './testing/requests.ts';

// Every email this suite sends carries the tag, so "nothing stored" can be checked even on a shared server.
const TAG = uniqueName('bad').replace('_', '');
let h: UsersHarness;
let customer: SessionBody;
let addressId: string;
let ipCounter = 0;

beforeAll(async () => {
  h = await usersHarness();
  customer = (await client(h.app).register({ email: `${TAG}owner@example.com` })).json();
  const address = {
    name: 'Ann',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  };
  addressId = (await client(h.app).call('POST', '/api/v1/me/addresses', address, customer.accessToken)).json()
    .id;
});
afterAll(() => h.close());

async function snapshot() {
  const db = h.users.store.db;
  const users = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'password_hash', 'status'])
    .where('email_key', 'like', `%${TAG}%`)
    .orderBy('id')
    .execute();
  const ids = users.map((u) => u.id);
  const tokens = await db
    .selectFrom('refresh_tokens')
    .select(['id', 'revoked_at', 'used_at'])
    .where('user_id', 'in', ids)
    .orderBy('id')
    .execute();
  const addresses = await db
    .selectFrom('addresses')
    .selectAll()
    .where('user_id', 'in', ids)
    .orderBy('id')
    .execute();
  const events = await db.selectFrom('outbox').select('id').where('subject', 'in', ids).execute();
  return { users, tokens, addresses, events };
}

type Case = {
  name: string;
  method: 'POST' | 'PATCH';
  url: string;
  payload: string;
  contentType?: string;
  auth?: boolean;
};
const json = (value: unknown) => JSON.stringify(value);
const email = (local: string) => `${local}${TAG}@example.com`;

const TEN_MB = 'x'.repeat(10 * 1024 * 1024);
const routes = [
  {
    url: '/api/v1/auth/register',
    method: 'POST',
    valid: { email: email('new'), password: GOOD_PASSWORD, name: 'New Person', role: 'customer' },
  },
  {
    url: '/api/v1/auth/login',
    method: 'POST',
    valid: { email: email('owner'), password: 'wrong-but-fine-123' },
  },
  { url: '/api/v1/auth/refresh', method: 'POST', valid: { refreshToken: 'A'.repeat(43) } },
  { url: '/api/v1/auth/logout', method: 'POST', valid: { refreshToken: 'A'.repeat(43) } },
  { url: '/api/v1/me', method: 'PATCH', valid: { name: 'Renamed' }, auth: true },
  {
    url: '/api/v1/me/addresses',
    method: 'POST',
    valid: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'FR' },
    auth: true,
  },
  { url: '/api/v1/me/addresses/:id', method: 'PATCH', valid: { city: 'Elsewhere' }, auth: true },
] as const;

const genericCases: Case[] = routes.flatMap((r) => {
  const base = { method: r.method, url: r.url, auth: 'auth' in r };
  const [firstField] = Object.keys(r.valid) as [string];
  const wrongTypes = Object.fromEntries(Object.keys(r.valid).map((k) => [k, { nested: [1, 2] }]));
  const withoutFirst = Object.fromEntries(Object.entries(r.valid).filter(([k]) => k !== firstField));
  const cases: Case[] = [
    { ...base, name: 'wrong types', payload: json(wrongTypes) },
    { ...base, name: 'an array instead of an object', payload: json([r.valid]) },
    {
      ...base,
      name: 'an unknown field',
      payload: json({ ...r.valid, isAdmin: true, role: r.url.endsWith('register') ? 'admin' : undefined }),
    },
    { ...base, name: '10 MB body', payload: json({ ...r.valid, [firstField]: TEN_MB }) },
    { ...base, name: 'invalid JSON', payload: '{"email": "a@b.c", ' },
    { ...base, name: 'a JSON string instead of an object', payload: '"hello"' },
    {
      ...base,
      name: 'a form body',
      payload: 'email=a%40b.c',
      contentType: 'application/x-www-form-urlencoded',
    },
  ];
  if (r.method === 'POST' && !r.url.endsWith(':id')) {
    cases.push(
      { ...base, name: 'missing fields', payload: json(withoutFirst) },
      { ...base, name: 'an empty body', payload: '' },
    );
  }
  return cases;
});

const trickyEmails = [
  ['zero-width space', `ann\u200B${TAG}@example.com`],
  ['RTL override', `ann${TAG}@exa\u202Emple.com`],
  ['Cyrillic а in the domain', `ann${TAG}@ex\u0430mple.com`],
  ['Cyrillic а in the local part', `\u0430nn${TAG}@example.com`],
  ['BOM', `\uFEFFann${TAG}@example.com`],
  ['NUL byte', `ann${TAG}\u0000@example.com`],
  ['newline (header injection)', `ann${TAG}@example.com\nBcc: x@evil.com`],
  ['no domain', `ann${TAG}@`],
] as const;
const unicodeCases: Case[] = trickyEmails.flatMap(([what, address]) => [
  {
    name: `register with ${what}`,
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: json({ email: address, password: GOOD_PASSWORD, name: 'Tricky', role: 'customer' }),
  },
  {
    name: `login with ${what}`,
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: json({ email: address, password: GOOD_PASSWORD }),
  },
]);
const textCases: Case[] = [
  {
    name: 'register with an RTL override in the name',
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: json({
      email: email('rtl'),
      password: GOOD_PASSWORD,
      name: 'Ann\u202Egnp.exe',
      role: 'customer',
    }),
  },
  {
    name: 'register a seller whose store name is only invisible characters',
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: json({
      email: email('inv'),
      password: GOOD_PASSWORD,
      name: 'Ann',
      role: 'seller',
      storeName: '\u200B\u200B\u200B',
    }),
  },
  {
    name: 'register with a 129-character password',
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: json({ email: email('long'), password: 'Zq9'.repeat(43), name: 'Ann', role: 'customer' }),
  },
  {
    name: 'register as admin',
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: json({ email: email('adm'), password: GOOD_PASSWORD, name: 'Ann', role: 'admin' }),
  },
];

describe('bad input on every auth route: 4xx problem+json, nothing stored', () => {
  it.each(
    [...genericCases, ...unicodeCases, ...textCases].map(
      (c) => [`${c.method} ${c.url}: ${c.name}`, c] as const,
    ),
  )('%s', async (_title, c) => {
    const before = await snapshot();
    const res = await h.app.inject({
      method: c.method,
      url: c.url.replace(':id', addressId),
      payload: c.payload,
      remoteAddress: `10.7.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}`,
      headers: {
        'content-type': c.contentType ?? 'application/json',
        ...(c.auth ? { authorization: `Bearer ${customer.accessToken}` } : {}),
      },
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    if (c.name === '10 MB body') expect(res.statusCode).toBe(413);
    if (c.name === 'invalid JSON') expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ status: number; title: string; detail: string }>();
    expect(problem.status).toBe(res.statusCode);
    expect(problem.detail.length).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
  });
});
