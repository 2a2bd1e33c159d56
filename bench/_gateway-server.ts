// A server for the gateway benchmark, in its own process: `bare` is a plain Fastify hello world (the
// baseline); `gateway` is the platform server with the auth hook and the full gateway chain.
import Fastify from 'fastify';
import { Type } from 'typebox';
import { createHttpServer, createMetricsRegistry, MemoryCache, registerAuthHook } from '@emporium/platform';
import { testTokens } from '@emporium/platform/testing';
import { registerGateway } from '@emporium/gateway';

const mode = process.argv[2];

if (mode === 'bare') {
  const app = Fastify();
  app.get('/', async () => ({ hello: 'world' }));
  console.log(`LISTENING ${await app.listen({ port: 0, host: '127.0.0.1' })}`);
} else {
  const metrics = createMetricsRegistry();
  const app = createHttpServer({ name: 'bench', logLevel: 'warn', metrics });
  registerAuthHook(app, (await testTokens()).verifier);
  await registerGateway(app, {
    cache: new MemoryCache(),
    metrics,
    rateLimitPerMinute: 100_000_000,
    deploymentName: 'emporium',
    remoteServices: [],
  });
  app.get(
    '/api/v1/products/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Object({ id: Type.String(), title: Type.String(), price: Type.Integer() }) },
      },
      config: { publicCacheSeconds: 300 },
    },
    async (request) => ({ id: request.params.id, title: 'Bench product', price: 1999 }),
  );
  // A public route that goes through every hook: auth, rate limit, cache lookup (a miss: not cacheable).
  app.get('/api/v1/ping', async () => ({ hello: 'world' }));
  console.log(`LISTENING ${await app.listen({ port: 0, host: '127.0.0.1' })}`);
}
