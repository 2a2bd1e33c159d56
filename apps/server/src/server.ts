import type { Logger } from 'pino';
import {
  ACCESS_TOKEN,
  closeGracefully,
  createAccessTokenVerifier,
  createHttpServer,
  mountService,
  openInfrastructure,
  registerAuthHook,
  type AccessTokenVerifier,
  type Config,
  type HttpServer,
} from '@emporium/platform';
import type { JSONWebKeySet } from 'jose';
import { registerGateway } from '@emporium/gateway';
import { stalePathPrefixes, type CatalogChange, type LocalCatalogApi } from '@emporium/catalog';
import { composeServices, type ComposedServices } from './compose.ts';
import { paymentSettings, startPaymentSandbox, type RunningSandbox } from '@emporium/payments';

export interface RunningServer {
  app: HttpServer;
  url: string;
  services: ComposedServices;
  close(): Promise<void>;
}

interface KeyPublisher {
  jwks(): Promise<JSONWebKeySet>;
}

function tokenVerifier(config: Config, services: ComposedServices): AccessTokenVerifier {
  const users = services.apis.users as KeyPublisher | undefined;
  if (users && !services.remote.users) return createAccessTokenVerifier({ jwks: () => users.jwks() });
  const usersUrl = config.serviceUrls.users;
  if (usersUrl) return createAccessTokenVerifier({ url: usersUrl + ACCESS_TOKEN.jwksPath });
  // No users service anywhere: every token is refused, public routes still work.
  return createAccessTokenVerifier({ jwks: async () => ({ keys: [] }) });
}

/** Builds infrastructure and services, mounts the gateway and routes, starts background work, listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const infra = await openInfrastructure({
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    natsUrl: config.natsUrl,
    dataDir: config.dataDir,
    logger,
  });
  const sandbox = await startEmbeddedPaymentSandbox(config);
  const services = await composeServices(config, infra);
  const app = createHttpServer({
    name: 'emporium',
    logLevel: config.logLevel,
    metrics: infra.metrics,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    readiness: {
      database: () => infra.db.ping(),
      cache: () => infra.cache.ping(),
      events: () => infra.bus.ping(),
      ...Object.assign({}, ...services.modules.map((m) => m.readiness ?? {})),
    },
  });
  registerAuthHook(app, tokenVerifier(config, services));
  if (config.services.includes('gateway')) {
    const responseCache = await registerGateway(app, {
      cache: infra.cache,
      redis: infra.redis,
      metrics: infra.metrics,
      rateLimitPerMinute: config.rateLimitPerMinute,
      remoteServices: services.remote,
    });
    // Catalog changes drop the gateway's cached product and category responses: at once in-process,
    // through the catalog's events when the catalog runs elsewhere.
    const dropStale = async (change: CatalogChange) => {
      for (const prefix of stalePathPrefixes(change)) await responseCache.invalidate(prefix);
    };
    const catalog = services.apis.catalog as Partial<LocalCatalogApi> | undefined;
    if (catalog?.onChange && !services.remote.catalog) catalog.onChange(dropStale);
    else if (services.remote.catalog)
      await infra.bus.subscribe('gateway-catalog-cache', ['catalog.product.>'], (e) =>
        dropStale({ productIds: [e.subject] }),
      );
  }
  for (const module of services.modules) await mountService(app, module);
  for (const module of services.modules) await module.start?.();
  const url = await app.listen({ port: config.port, host: config.host });

  return {
    app,
    url: url.replace('0.0.0.0', '127.0.0.1'),
    services,
    async close() {
      await closeGracefully(app, config.shutdownTimeoutMs);
      for (const module of [...services.modules].reverse()) await module.stop?.();
      await infra.close();
      await sandbox?.stop();
    },
  };
}

/** Embedded mode with no PAYMENTS_GATEWAY_URL: the payment sandbox runs as a child process (ADR 0701). */
async function startEmbeddedPaymentSandbox(config: Config): Promise<RunningSandbox | undefined> {
  const settings = paymentSettings(config.payments);
  if (!config.services.includes('payments') || config.databaseUrl || !settings.embeddedSandbox)
    return undefined;
  return startPaymentSandbox(settings, `http://127.0.0.1:${config.port}/api/v1/webhooks/payments`, {
    logLevel: config.logLevel,
  });
}
