import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3.1 document is generated from the route schemas (never hand-written) and served at
 * /api/openapi.json, with readable docs at /docs. Must be registered before the routes it describes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Emporium API',
        version: '1.0.0',
        description:
          'Public API of the Emporium marketplace. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    hideUntagged: false,
    transform: ({ schema, url, route }) => {
      const access = route.config?.auth ?? 'public';
      const described = { ...(schema ?? {}) } as Record<string, unknown>;
      if (url.startsWith('/internal/')) described.hide = true;
      if (access !== 'public') described.security = [{ bearer: [] }];
      return { schema: described, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
}
