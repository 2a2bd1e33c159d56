import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { createHttpServer, closeGracefully, type HttpServer } from './server.ts';
import { createMetricsRegistry } from './metrics.ts';
import { notFound } from '../errors.ts';

describe('HTTP server factory', () => {
  let app: HttpServer | undefined;
  let slowStarted = false;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const build = (readiness = {}) => {
    app = createHttpServer({ name: 't', logLevel: 'silent', metrics: createMetricsRegistry(), readiness });
    app.post(
      '/items',
      {
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1 }) }),
        },
      },
      async (request) => request.body,
    );
    app.get(
      '/items/:n',
      {
        schema: {
          params: Type.Object({ n: Type.Integer() }),
          querystring: Type.Object({ q: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer()) }),
        },
      },
      async (request) => ({ params: request.params, query: request.query }),
    );
    app.get('/echo/:text', async (request) => request.params);
    app.post('/anything', async (request) => ({ received: typeof request.body }));
    app.get('/missing', async () => {
      throw notFound('Product p1');
    });
    app.get('/boom', async () => {
      throw new Error('secret internal detail');
    });
    app.get('/slow', async () => {
      slowStarted = true;
      await new Promise((r) => setTimeout(r, 400));
      return { done: true };
    });
    return app;
  };

  it('answers invalid input with problem+json naming the fields', async () => {
    const response = await build().inject({
      method: 'POST',
      url: '/items',
      payload: { name: '', quantity: 'x' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.quantity']));
  });

  it('answers malformed JSON and oversized bodies with 4xx problems', async () => {
    const server = build();
    const malformed = await server.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().status).toBe(400);
    const huge = await server.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), quantity: 1 }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toContain('application/problem+json');
  });

  it('maps domain errors to their status and hides internal errors', async () => {
    const server = build();
    const missing = await server.inject({ url: '/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toBe('Product p1 was not found');
    const boom = await server.inject({ url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret internal detail');
  });

  it('echoes or assigns a request id', async () => {
    const server = build();
    expect(
      (await server.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })).headers[
        'x-request-id'
      ],
    ).toBe('abc-123');
    expect((await server.inject({ url: '/healthz' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports readiness from its dependency checks and exposes metrics', async () => {
    const server = build({
      database: async () => undefined,
      cache: async () => Promise.reject(new Error('down')),
    });
    const ready = await server.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual({ database: 'ok', cache: 'failing: down' });
    await server.inject({ url: '/healthz' });
    const metrics = await server.inject({ url: '/metrics' });
    expect(metrics.body).toContain('emporium_http_request_duration_seconds_bucket');
  });

  it('drains an in-flight request before closing', async () => {
    const server = build();
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`${address}/slow`).then((r) => r.json());
    // Close only once the request is inside the handler: before that, a closing server answers 503.
    while (!slowStarted) await new Promise((r) => setTimeout(r, 10));
    await closeGracefully(server, 5_000);
    expect(await inFlight).toEqual({ done: true });
    await expect(fetch(`${address}/healthz`)).rejects.toThrow();
    app = undefined;
  });

  const problemOf = (response: {
    statusCode: number;
    headers: Record<string, unknown>;
    json(): unknown;
  }) => ({
    status: response.statusCode,
    type: String(response.headers['content-type']).split(';')[0],
    body: response.json() as { status: number; errors?: { field: string }[] },
  });

  it('refuses wrongly typed body values instead of converting them', async () => {
    const server = build();
    for (const quantity of [null, true, '5', [5]]) {
      const response = await server.inject({
        method: 'POST',
        url: '/items',
        payload: { name: 'a', quantity },
      });
      const problem = problemOf(response);
      expect({ quantity, status: problem.status, type: problem.type }).toEqual({
        quantity,
        status: 400,
        type: 'application/problem+json',
      });
      expect(problem.body.errors?.map((e) => e.field)).toContain('body.quantity');
    }
    const ok = await server.inject({ method: 'POST', url: '/items', payload: { name: 'a', quantity: 5 } });
    expect(ok.json()).toEqual({ name: 'a', quantity: 5 });
  });

  it('still converts params and querystring values, which arrive as text', async () => {
    const response = await build().inject({ url: '/items/42?limit=7&q=shoes' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ params: { n: 42 }, query: { limit: 7, q: 'shoes' } });
  });

  it.each(['Infinity', '-Infinity', '1e309'])(
    'refuses %s in a converted integer (Ajv skips its bounds for non-finite numbers)',
    async (value) => {
      const server = build();
      for (const url of [`/items/${value}`, `/items/1?limit=${value}`]) {
        const problem = problemOf(await server.inject({ url }));
        expect({ url, status: problem.status, type: problem.type }).toEqual({
          url,
          status: 400,
          type: 'application/problem+json',
        });
      }
      const bounded = createHttpServer({ name: 't', logLevel: 'silent', metrics: createMetricsRegistry() });
      bounded.get(
        '/page',
        { schema: { querystring: Type.Object({ page: Type.Integer({ minimum: 1, maximum: 10 }) }) } },
        async (request) => request.query,
      );
      const response = await bounded.inject({ url: `/page?page=${value}` });
      await bounded.close();
      expect(problemOf(response).body.errors?.map((e) => e.field)).toEqual(['querystring.page']);
    },
  );

  it.each([
    ['a NUL in a body string', { method: 'POST', url: '/items', payload: { name: 'a\u0000b', quantity: 1 } }],
    ['a lone high surrogate', { method: 'POST', url: '/items', payload: '{"name":"a\\ud800","quantity":1}' }],
    ['a lone low surrogate', { method: 'POST', url: '/items', payload: '{"name":"\\udc00z","quantity":1}' }],
    ['a NUL in a body key', { method: 'POST', url: '/anything', payload: '{"a\\u0000":1}' }],
    ['a NUL deep in an array', { method: 'POST', url: '/anything', payload: '[[[["ok","\\u0000"]]]]' }],
    ['a NUL in a text body', { method: 'POST', url: '/anything', payload: 'a\u0000b', type: 'text/plain' }],
    ['a NUL in a query value', { method: 'GET', url: '/items/1?q=%00' }],
    ['a NUL in a query key', { method: 'GET', url: '/items/1?%00=1' }],
    ['a NUL in a path parameter', { method: 'GET', url: '/echo/a%00' }],
  ] as const)('refuses %s with a 400 problem', async (_name, request) => {
    const { type: contentType, ...rest } = request as typeof request & { type?: string };
    const response = await build().inject({
      ...rest,
      headers: { 'content-type': contentType ?? 'application/json' },
    });
    const problem = problemOf(response);
    expect({ status: problem.status, type: problem.type }).toEqual({
      status: 400,
      type: 'application/problem+json',
    });
  });

  it('accepts well-formed text outside the BMP and deeply nested bodies', async () => {
    const server = build();
    const emoji = await server.inject({
      method: 'POST',
      url: '/items',
      payload: { name: 'ok 😀', quantity: 1 },
    });
    expect(emoji.statusCode).toBe(200);
    const depth = 100_000;
    const nested = await server.inject({
      method: 'POST',
      url: '/anything',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(depth) + '"x"' + ']'.repeat(depth),
    });
    expect(nested.statusCode).toBe(200);
  });

  it.each([
    ['a bad percent-encoding', { url: '/items/%E0%A4%A' }, 400],
    ['an over-long path parameter', { url: `/items/${'9'.repeat(500)}` }, 414],
    ['an unknown route', { url: '/nowhere' }, 404],
    [
      'a wrong content type',
      { method: 'POST', url: '/items', headers: { 'content-type': 'application/x-nope' }, payload: 'x' },
      415,
    ],
    [
      'an unparsable content type',
      { method: 'POST', url: '/items', headers: { 'content-type': '/;;' }, payload: '{}' },
      415,
    ],
    [
      'an empty JSON body',
      { method: 'POST', url: '/items', headers: { 'content-type': 'application/json' }, payload: '' },
      400,
    ],
  ] as const)(
    "answers the framework's own refusal of %s with problem+json",
    async (_name, request, status) => {
      const problem = problemOf(await build().inject(request));
      expect({ status: problem.status, type: problem.type, bodyStatus: problem.body.status }).toEqual({
        status,
        type: 'application/problem+json',
        bodyStatus: status,
      });
    },
  );

  it('answers a request the HTTP parser refuses with problem+json', async () => {
    const server = build();
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400 });
  });
});
