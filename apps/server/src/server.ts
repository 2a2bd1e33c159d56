import type { Logger } from 'pino';
import {
  ACCESS_TOKEN,
  closeGracefully,
  createAccessTokenVerifier,
  createHttpServer,
  mountService,
  openInfrastructure,
  createMetricsRegistry,
  JobScheduler,
  registerAuthHook,
  serviceTokensFromConfig,
  type AccessTokenVerifier,
  type Config,
  type HttpServer,
  type ServiceTokens,
} from '@emporium/platform';
import type { JSONWebKeySet } from 'jose';
import { registerGateway } from '@emporium/gateway';
import { stalePathPrefixes, type CatalogChange, type LocalCatalogApi } from '@emporium/catalog';
import { composeServices, type ComposedServices } from './compose.ts';
import { paymentSettings, startPaymentSandbox, type RunningSandbox } from '@emporium/payments';

export interface RunningServer {
  app: HttpServer;
  url: string;
  /** The separate listener of `/internal/*`, when INTERNAL_PORT is set. */
  internalUrl: string | undefined;
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
  const serviceTokens = serviceTokensFromConfig(config);
  const services = await composeServices(config, infra, serviceTokens);
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
  const verifier = tokenVerifier(config, services);
  registerAuthHook(app, verifier, serviceTokens);
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
  const internal = await internalListener(config, verifier, serviceTokens);
  const internalHost = internal ?? (config.services.includes('gateway') ? undefined : app);
  for (const module of services.modules) {
    await mountService(app, module, { publicRoutes: true, internalRoutes: internalHost === app });
    if (internal) await mountService(internal, module, { internalRoutes: true });
  }
  for (const module of services.modules) await module.start?.();
  const jobs = new JobScheduler({ db: infra.db, logger });
  await jobs.start(services.modules.flatMap((m) => m.jobs ?? []));
  const url = await app.listen({ port: config.port, host: config.host });
  const internalUrl = await internal?.listen({ port: config.internalPort, host: config.internalHost });

  return {
    app,
    url: url.replace('0.0.0.0', '127.0.0.1'),
    internalUrl: internalUrl?.replace('0.0.0.0', '127.0.0.1'),
    services,
    async close() {
      await jobs.stop();
      await closeGracefully(app, config.shutdownTimeoutMs);
      if (internal) await closeGracefully(internal, config.shutdownTimeoutMs);
      for (const module of [...services.modules].reverse()) await module.stop?.();
      await infra.close();
      await sandbox?.stop();
    },
  };
}

/**
 * Where `/internal/*` is served. A process that runs the gateway never serves it on its public port (in
 * one process every call is in-process anyway); a service process serves it beside its public routes,
 * or on INTERNAL_PORT (e.g. a private address) when set. Either way each call needs a service token.
 */
async function internalListener(
  config: Config,
  verifier: AccessTokenVerifier,
  tokens: ServiceTokens | undefined,
): Promise<HttpServer | undefined> {
  if (config.internalPort === undefined) return undefined;
  const app = createHttpServer({
    name: 'emporium-internal',
    logLevel: config.logLevel,
    metrics: createMetricsRegistry('emporium_internal_'),
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  registerAuthHook(app, verifier, tokens);
  return app;
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
