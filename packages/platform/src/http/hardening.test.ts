import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer, type HttpServerOptions } from './server.ts';
import { createMetricsRegistry } from './metrics.ts';

describe('HTTP hardening', () => {
  let app: HttpServer | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const build = (options: Partial<HttpServerOptions> = {}) => {
    app = createHttpServer({ name: 't', logLevel: 'silent', metrics: createMetricsRegistry(), ...options });
    app.get('/thing', { config: { auth: 'public' } }, async () => ({ ok: true }));
    return app;
  };

  it('sends security headers and the content security policy on answers and on problems', async () => {
    const server = build();
    for (const url of ['/thing', '/nowhere']) {
      const { headers } = await server.inject({ url });
      expect(headers['content-security-policy']).toContain("default-src 'self'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).toContain("object-src 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-powered-by']).toBeUndefined();
    }
  });

  it('answers no cross-origin call by default: no CORS headers, a preflight finds nothing', async () => {
    const server = build();
    const plain = await server.inject({ url: '/thing', headers: { origin: 'https://evil.example' } });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await server.inject({
      method: 'OPTIONS',
      url: '/thing',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(404);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the listed origins, with credentials, and no other', async () => {
    const server = build({ corsOrigins: ['https://shop.example'] });
    const allowed = await server.inject({
      method: 'OPTIONS',
      url: '/thing',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('idempotency-key');
    const other = await server.inject({
      url: '/thing',
      headers: { origin: 'https://shop.example.evil.test' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('cuts off a client that trickles its request in with a 408 problem', async () => {
    const server = build({ requestTimeoutMs: 300 });
    server.post('/upload', { config: { auth: 'public' } }, async () => ({ ok: true }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as { port: number };
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () =>
        // A body of 100 bytes announced, 3 sent, and then nothing.
        socket.write(
          'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc',
        ),
      );
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('application/problem+json');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
