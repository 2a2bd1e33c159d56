import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { PROBLEM_DESCRIPTIONS, ProblemSchema } from '@emporium/platform';

export const OPENAPI_PATH = '/api/openapi.json';

/** The one field merged; the rest of a part is what the gateway describes itself. */
type Paths = Record<string, unknown>;

/**
 * Describes the routes registered after it from their schemas (never hand-written). Every process does
 * this, so a process that runs services serves their part of the document at OPENAPI_PATH, and a
 * gateway elsewhere merges those parts into the one public document (ADR 0010).
 */
export async function describeRoutes(app: FastifyInstance): Promise<void> {
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
      described.response = {
        ...problemResponses(described, url, route.config ?? {}),
        ...responses(described),
      };
      if (route.config?.describedBody) described.body = route.config.describedBody;
      return { schema: described, url };
    },
  });
}

const responses = (schema: Record<string, unknown>) => (schema.response ?? {}) as Record<string, unknown>;

/**
 * The error statuses an operation can answer, read once from what every route declares (its input
 * schemas, its path, its access), so no route has to list the ones its shape implies. Added here
 * rather than to the route schemas, which Fastify would otherwise use to serialise errors.
 */
function errorStatuses(schema: Record<string, unknown>, url: string, config: FastifyContextConfig): number[] {
  const access = config.auth ?? 'public';
  const statuses = new Set<number>(config.problems ?? []);
  if (schema.body || schema.querystring || schema.params || config.describedBody || url.includes(':'))
    statuses.add(400);
  if (access !== 'public') statuses.add(401);
  if (access !== 'public' && access !== 'authenticated') statuses.add(403);
  if (url.includes(':')) statuses.add(404);
  if (config.rateLimit !== false) statuses.add(429);
  statuses.add(500);
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

function problemResponses(
  schema: Record<string, unknown>,
  url: string,
  config: FastifyContextConfig,
): Record<number, unknown> {
  return Object.fromEntries(
    errorStatuses(schema, url, config).map((status) => [
      status,
      {
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

/** A service process's own part of the document, for the gateway that forwards to it. */
export function serveOwnDescription(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { hide: true }, config: { auth: 'public', rateLimit: false } }, async () =>
    app.swagger(),
  );
}

/**
 * The gateway's document: its own routes and the parts of the processes it forwards to. A part that
 * cannot be read now is left out of this answer and asked for again on the next one; parts that were
 * read are kept, as a process's routes do not change while it runs.
 */
export async function registerOpenApi(app: FastifyInstance, remoteUrls: string[] = []): Promise<void> {
  await describeRoutes(app);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const parts = new Map<string, Paths>();
  const readPart = async (url: string) => {
    if (parts.has(url)) return;
    const response = await fetch(url + OPENAPI_PATH, { signal: AbortSignal.timeout(3_000) }).catch(
      () => undefined,
    );
    if (!response?.ok) return app.log.warn({ url }, 'API description of a service process unavailable');
    parts.set(url, ((await response.json()) as { paths?: Paths }).paths ?? {});
  };
  app.get(
    OPENAPI_PATH,
    { schema: { hide: true }, config: { auth: 'public', rateLimit: false } },
    async () => {
      const distinct = [...new Set(remoteUrls)];
      await Promise.all(distinct.map(readPart));
      const own = app.swagger();
      const paths: Paths = { ...own.paths };
      for (const url of distinct) Object.assign(paths, parts.get(url) ?? {});
      return { ...own, paths };
    },
  );
}
