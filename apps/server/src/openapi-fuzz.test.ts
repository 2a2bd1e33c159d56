/**
 * The bad-input suite: every operation of the served `/api/openapi.json`, sent requests that are wrong in
 * generated ways (wrong types, missing and extra fields, huge values, unicode and control characters,
 * injection strings, broken JSON, wrong content types, oversized bodies, invalid ids, absurd paging) by
 * anonymous, customer, seller and admin callers. No answer is a 5xx, every 4xx is problem+json, the rows
 * of every schema are the same afterwards, and the store still answers correctly.
 *
 * FUZZ_RUNS (default 25) is fast-check's numRuns per operation and property: CI runs the default, a long
 * run is `FUZZ_RUNS=1000 npx vitest run apps/server/src/openapi-fuzz.test.ts`.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { uniqueName } from '@emporium/platform/testing';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import {
  absurdQueryValue,
  fillPath,
  invalidId,
  mutatedBody,
  nastyString,
  operationsOf,
  queryString,
  sampleOf,
  type JsonSchema,
  type Operation,
} from './testing/openapi-fuzz.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const LONG = RUNS > 25;

type Who = 'anonymous' | 'customer' | 'seller' | 'admin';
const WHO: Who[] = ['anonymous', 'customer', 'seller', 'admin'];
const who = fc.constantFrom(...WHO);

const ADMIN_EMAIL = `${uniqueName('fuzz-admin')}@example.com`;
const ADMIN_PASSWORD = 'quartz-river-83-meadow';
const ADDRESS = {
  name: 'Fuzz Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
let server: TestStore;
let operations: Operation[];
const tokens = new Map<Who, string>();
let product: { id: string; sku: string; body: string };
let before: Map<string, string>;
const sent = { body: 0, params: 0, query: 0, transport: 0 };

interface Request {
  method: Operation['method'];
  /** A fresh one per request unless given (a retried checkout keeps its key). */
  idempotencyKey?: string;
  url: string;
  who: Who;
  contentType?: string;
  payload?: string;
}

let addressCounter = 0;
async function send({ method, url, who: caller, contentType, payload, idempotencyKey }: Request) {
  const token = tokens.get(caller);
  const res = await server.app.inject({
    method,
    url,
    // Each request from its own address, so the login throttle and rate limit never stand in the way.
    remoteAddress: `10.77.${Math.floor(addressCounter / 250) % 250}.${addressCounter++ % 250}`,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
      'idempotency-key': idempotencyKey ?? newId(),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return {
    status: res.statusCode,
    type: String(res.headers['content-type'] ?? '').split(';')[0],
    body: res.body,
  };
}

/**
 * What every answer to bad input must be. `refused`: the request is wrong by the operation's own schema
 * or by HTTP (broken JSON, wrong type, too big), so it must be a 4xx; otherwise anything below 500.
 */
async function check(request: Request, refused: boolean): Promise<void> {
  const res = await send(request);
  const label = `${request.who} ${request.method} ${request.url.slice(0, 200)} → ${res.status} ${res.type}`;
  if (res.status >= 500) throw new Error(`${label}: a 5xx on bad input: ${res.body.slice(0, 300)}`);
  if (res.status >= 400 && res.type !== 'application/problem+json')
    throw new Error(`${label}: a refusal that is not problem+json: ${res.body.slice(0, 300)}`);
  if (refused && (res.status < 400 || res.status >= 500))
    throw new Error(`${label}: accepted a request its schema refuses: ${res.body.slice(0, 300)}`);
  // A traversal that reached the file system would show it.
  if (/root:.*:0:0:/.test(res.body)) throw new Error(`${label}: served /etc/passwd`);
}

const validators = AjvCompiler()(
  {},
  { customOptions: { coerceTypes: false, allErrors: false, strict: false } },
);
const bodyValidator = (op: Operation, schema: JsonSchema) =>
  validators({ schema, method: op.method, url: op.path, httpPart: 'body' });

/** An unknown, well-formed value for each path parameter: the request then names nothing. */
const unknownParams = (op: Operation) =>
  Object.fromEntries(
    op.pathParams.map((p) => [p.name, p.schema?.format === 'uuid' ? newId() : `NOPE-${newId()}`]),
  );

async function runProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>) {
  await fc.assert(fc.asyncProperty(arbitrary, predicate), { numRuns: RUNS, endOnFailure: !LONG });
}

async function fuzzBody(op: Operation, schema: JsonSchema) {
  const validate = bodyValidator(op, schema);
  const url = fillPath(op.path, unknownParams(op));
  // Each generated body is checked against the operation's schema: only bodies it refuses are sent.
  const invalid = mutatedBody(schema).filter((body) => !validate(body));
  await runProperty(fc.tuple(who, invalid), async ([caller, body]) => {
    sent.body++;
    const payload = JSON.stringify(body);
    await check({ method: op.method, url, who: caller, contentType: 'application/json', payload }, true);
  });
}

async function fuzzPathParams(op: Operation) {
  const ids = fc.tuple(...op.pathParams.map(() => invalidId));
  const body = op.body ? JSON.stringify(sampleOf(op.body)) : undefined;
  await runProperty(fc.tuple(who, ids), async ([caller, values]) => {
    sent.params++;
    const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p, i) => [p.name, values[i]!])));
    await check(
      {
        method: op.method,
        url,
        who: caller,
        ...(body ? { contentType: 'application/json', payload: body } : {}),
      },
      false,
    );
  });
}

async function fuzzQuery(op: Operation) {
  const names = fc.oneof(
    fc.constantFrom(...op.query.map((p) => p.name), 'limit', 'page', 'perPage', 'cursor'),
    nastyString.filter((s) => s.length < 50),
  );
  const pairs = fc.array(fc.tuple(names, absurdQueryValue), { minLength: 1, maxLength: 4 });
  const url = fillPath(op.path, unknownParams(op));
  await runProperty(fc.tuple(who, pairs), async ([caller, values]) => {
    sent.query++;
    await check({ method: op.method, url: url + queryString(values), who: caller }, false);
  });
}

const OVERSIZED = JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 16) });
const brokenJson = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    '[1,2',
    '{"a":1,}',
    "{'a':1}",
    'NaN',
    '{"a":undefined}',
    '\u0000',
    '{"__proto__":',
    '"',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => `{${s}`),
);
/** Broken JSON, a body in a type the API does not take, and a JSON body over the size limit. */
const transportCase = fc.oneof(
  brokenJson.map((payload) => ({ contentType: 'application/json', payload })),
  fc
    .tuple(
      fc.constantFrom(
        'application/xml',
        'application/x-www-form-urlencoded',
        'text/html',
        'image/svg+xml',
        'application/x-msgpack',
      ),
      fc.string({ maxLength: 40 }),
    )
    .map(([contentType, payload]) => ({ contentType, payload: payload || 'a=1' })),
  fc.constant({ contentType: 'application/json', payload: OVERSIZED }),
);

async function fuzzTransport(op: Operation) {
  const url = fillPath(op.path, unknownParams(op));
  await runProperty(fc.tuple(who, transportCase), async ([caller, body]) => {
    sent.transport++;
    await check({ method: op.method, url, who: caller, ...body }, true);
  });
}

/** Written by the job scheduler on its own clock (ADR 0006), whatever the requests were. */
const BACKGROUND_TABLES = new Set(['platform.job_leases']);

/** Rows of every table of every schema, with a digest of their content: a change anywhere shows. */
async function snapshot(): Promise<Map<string, string>> {
  const db = server.infra.db.forSchema('public');
  const tables = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`.execute(db);
  const rows = new Map<string, string>();
  for (const { schema, name } of tables.rows.filter((t) => !BACKGROUND_TABLES.has(`${t.schema}.${t.name}`))) {
    const result = await sql<{ n: number; digest: string }>`
      select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
      from ${sql.id(schema, name)} t`.execute(db);
    rows.set(`${schema}.${name}`, `${result.rows[0]!.n} rows ${result.rows[0]!.digest}`);
  }
  return rows;
}

async function signIn(caller: Who, path: string, body: Record<string, unknown>) {
  const res = await send({
    method: 'POST',
    url: path,
    who: 'anonymous',
    contentType: 'application/json',
    payload: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`cannot sign in ${caller}: ${res.status} ${res.body}`);
  tokens.set(caller, (JSON.parse(res.body) as { accessToken: string }).accessToken);
}

async function json(request: Request, ...expected: number[]) {
  const res = await send({ contentType: 'application/json', ...request });
  if (!expected.includes(res.status))
    throw new Error(`${request.method} ${request.url}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

async function seedProduct() {
  const sku = `FUZZ-${newId().slice(-12)}`.toUpperCase();
  const created = await json(
    {
      method: 'POST',
      url: '/api/v1/seller/products',
      who: 'seller',
      payload: JSON.stringify({
        title: 'Fuzz Kettle',
        description: 'A kettle that outlives bad input',
        brand: 'Fuzz',
        category: 'Home/Kitchen',
        attributes: {},
        status: 'active',
        variants: [{ sku, price: { amount: 2599, currency: 'EUR' }, attributes: {} }],
      }),
    },
    201,
  );
  await json(
    { method: 'PUT', url: `/api/v1/seller/inventory/${sku}`, who: 'seller', payload: '{"onHand":20}' },
    200,
  );
  const id = String(created.id);
  const read = await send({ method: 'GET', url: `/api/v1/products/${id}`, who: 'anonymous' });
  product = { id, sku, body: read.body };
}

/**
 * A checkout as a client makes it: a 503 ("still being processed", e.g. the gateway slow while other
 * suites share the cores) is retried with the same Idempotency-Key, as its answer asks.
 */
async function checkout() {
  const request: Request = {
    method: 'POST',
    url: '/api/v1/orders',
    who: 'customer',
    contentType: 'application/json',
    payload: JSON.stringify({ shippingAddress: ADDRESS, paymentToken: 'tok_visa' }),
    idempotencyKey: newId(),
  };
  for (let attempt = 1; ; attempt++) {
    const res = await send(request);
    if (res.status !== 503 || attempt === 10) {
      expect(res.status, res.body).toBe(201);
      return JSON.parse(res.body) as Record<string, unknown>;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

beforeAll(async () => {
  // Its own database: the snapshot compares every table, which suites beside it would change too.
  server = await startTestStore({ ADMIN_EMAIL, ADMIN_PASSWORD }, undefined, { ownDatabase: true });
  const password = 'saffron-valley-42-beacon';
  await signIn('customer', '/api/v1/auth/register', {
    email: `${uniqueName('fuzzc')}@example.com`,
    password,
    name: 'Fuzz Customer',
    role: 'customer',
  });
  await signIn('seller', '/api/v1/auth/register', {
    email: `${uniqueName('fuzzs')}@example.com`,
    password,
    name: 'Fuzz Seller',
    role: 'seller',
    storeName: uniqueName('Fuzz Store'),
  });
  await signIn('admin', '/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await seedProduct();
  const document = await send({ method: 'GET', url: '/api/openapi.json', who: 'anonymous' });
  operations = operationsOf(JSON.parse(document.body) as Parameters<typeof operationsOf>[0]);
  // A signed-in caller's cart is created on first use, a read included: create them now, so the snapshot
  // compares what bad input left behind, not the lazy creation of a cart any request would trigger.
  for (const caller of WHO) await json({ method: 'GET', url: '/api/v1/cart', who: caller }, 200);
  before = await snapshot();
}, 180_000);

afterAll(async () => {
  await server?.close();
});

const TIMEOUT = LONG ? 3_600_000 : 60_000;
const writes = () => operations.filter((op) => op.method !== 'GET');

describe('bad input generated from /api/openapi.json', () => {
  it('reads every operation of the document', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.map((op) => op.key)).toContain('POST /api/v1/orders');
  });

  it(
    'refuses generated bodies that break their schema, for every operation with a JSON body',
    async () => {
      const withBody = operations.filter((op) => op.body);
      for (const op of withBody) await fuzzBody(op, op.body!);
      expect(sent.body).toBe(withBody.length * RUNS);
    },
    TIMEOUT,
  );

  it(
    'answers invalid and unknown ids in every path parameter without a 5xx',
    async () => {
      const withParams = operations.filter((op) => op.pathParams.length);
      for (const op of withParams) await fuzzPathParams(op);
      expect(sent.params).toBe(withParams.length * RUNS);
    },
    TIMEOUT,
  );

  it(
    'answers absurd paging, filters and unknown query keys on every read and every write that takes a query',
    async () => {
      // A write without query parameters ignores unknown keys: the rest of its request would be valid.
      const withQuery = operations.filter((op) => op.method === 'GET' || op.query.length);
      for (const op of withQuery) await fuzzQuery(op);
      expect(sent.query).toBe(withQuery.length * RUNS);
    },
    TIMEOUT,
  );

  it(
    'refuses broken JSON, wrong content types and oversized bodies on every write',
    async () => {
      for (const op of writes()) await fuzzTransport(op);
      expect(sent.transport).toBe(writes().length * RUNS);
    },
    TIMEOUT,
  );

  it('changed no row of any schema', async () => {
    const after = await snapshot();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (t) => before.get(t) !== after.get(t),
    );
    expect(before.size).toBeGreaterThan(10);
    expect(changed.map((t) => `${t}: ${before.get(t)} → ${after.get(t)}`)).toEqual([]);
  });

  it('still serves correct answers: the known product reads back, a checkout with tok_visa is paid', async () => {
    const read = await send({ method: 'GET', url: `/api/v1/products/${product.id}`, who: 'anonymous' });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual(JSON.parse(product.body));
    await json(
      {
        method: 'POST',
        url: '/api/v1/cart/items',
        who: 'customer',
        payload: JSON.stringify({ sku: product.sku, quantity: 2 }),
      },
      200,
      201,
    );
    const order = await checkout();
    expect(order).toMatchObject({ status: 'paid', total: { amount: 5198, currency: 'EUR' } });
    console.log(
      `openapi fuzz: ${operations.length} operations, ${RUNS} runs each, requests sent ${JSON.stringify(sent)}`,
    );
  }, 90_000);
});
