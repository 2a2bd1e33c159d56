import type { Logger } from 'pino';
import {
  closeGracefully,
  createAccessTokenVerifier,
  createHttpServer,
  createMetricsRegistry,
  mountService,
  openInfrastructure,
  AccountRevocations,
  JobScheduler,
  MemoryCache,
  revocableVerifier,
  registerAuthHook,
  serviceTokensFromConfig,
  type AccessTokenVerifier,
  type AccountStatusChange,
  type Config,
  type HttpServer,
  type Infrastructure,
  type RegisteredService,
  type ServiceTokens,
} from '@emporium/platform';
import { describeRoutes, registerGateway, serveOwnDescription } from '@emporium/gateway';
import { composeServices, planComposition, startSideProcesses, type ComposedServices } from './compose.ts';
import { serviceRegistry } from './registry.ts';

export interface RunningServer {
  app: HttpServer;
  url: string;
  /** The separate listener of `/internal/*`, when INTERNAL_PORT is set. */
  internalUrl: string | undefined;
  services: ComposedServices;
  /** For tests that check what a request left behind (e.g. row counts per schema). */
  infra: Infrastructure;
  close(): Promise<void>;
}

/** Access tokens are checked with the keys of the service that publishes them: here, or at its URL. */
function tokenVerifier(services: ComposedServices): AccessTokenVerifier {
  const local = services.modules.find((m) => m.accessTokenKeys);
  if (local?.accessTokenKeys) return createAccessTokenVerifier({ jwks: local.accessTokenKeys.bind(local) });
  const remote = services.plan.remote.find((r) => r.service.gateway.accessTokenKeysPath);
  if (remote)
    return createAccessTokenVerifier({ url: remote.url + remote.service.gateway.accessTokenKeysPath });
  // No users service anywhere: every token is refused, public routes still work.
  return createAccessTokenVerifier({ jwks: async () => ({ keys: [] }) });
}

/** Builds infrastructure and services, mounts the gateway and routes, starts background work, listens. */
export async function startServer(
  config: Config,
  logger: Logger,
  registry: RegisteredService[] = serviceRegistry,
): Promise<RunningServer> {
  const plan = planComposition(config, registry);
  const infra = await openInfrastructure({
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    natsUrl: config.natsUrl,
    dataDir: config.dataDir,
    deploymentName: config.deploymentName,
    logger,
  });
  const sideProcesses = await startSideProcesses(config, plan);
  const serviceTokens = serviceTokensFromConfig(config);
  const services = await composeServices(config, infra, plan, serviceTokens);
  const app = createHttpServer({
    name: 'emporium',
    logLevel: config.logLevel,
    metrics: infra.metrics,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    trustedProxies: config.trustedProxies,
    corsOrigins: config.corsOrigins,
    readiness: {
      database: () => infra.db.ping(),
      cache: () => infra.cache.ping(),
      events: () => infra.bus.ping(),
      ...Object.assign({}, ...services.modules.map((m) => m.readiness ?? {})),
    },
  });
  const verifier = revocableVerifier(tokenVerifier(services), await accountRevocations(infra, services));
  registerAuthHook(app, verifier, serviceTokens);
  if (plan.gateway) await mountGateway(app, config, infra, services);
  else await describeOwnRoutes(app);
  const internal = await internalListener(config, verifier, serviceTokens);
  const internalHost = internal ?? (plan.gateway ? undefined : app);
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
    infra,
    async close() {
      await jobs.stop();
      await closeGracefully(app, config.shutdownTimeoutMs);
      if (internal) await closeGracefully(internal, config.shutdownTimeoutMs);
      for (const module of [...services.modules].reverse()) await module.stop?.();
      await infra.close();
      for (const side of sideProcesses) await side.stop();
    },
  };
}

/**
 * Suspended accounts, whose access tokens every route refuses: recorded by the users service after its
 * commit when it runs here, from its events when it runs elsewhere. In Redis every process shares the
 * list; on the embedded defaults it gets a cache of its own, so response-cache churn cannot evict it.
 */
async function accountRevocations(infra: Infrastructure, services: ComposedServices) {
  const revocations = new AccountRevocations(infra.redis ? infra.cache : new MemoryCache());
  const record = (change: AccountStatusChange) => revocations.record(change);
  for (const module of services.modules) module.onAccountStatus?.(record);
  // Processes of the same shape share a consumer (and their Redis); different shapes each get every event.
  const shape = [
    ...(services.plan.gateway ? ['gateway'] : []),
    ...services.plan.local.map((l) => l.service.name),
  ];
  for (const { service } of services.plan.remote) {
    const hook = service.gateway.accountStatus;
    if (!hook) continue;
    await infra.bus.subscribe(
      `revocations-${service.name}-${shape.join('_')}`,
      hook.subjects,
      async (event) => {
        const change = hook.fromEvent(event);
        if (change) await record(change);
      },
    );
  }
  return revocations;
}

/**
 * The gateway forwards the public paths of remote services, and drops cached public responses that a
 * service's change made stale: at once in-process, through the service's events when it runs elsewhere.
 */
async function mountGateway(
  app: HttpServer,
  config: Config,
  infra: Infrastructure,
  services: ComposedServices,
): Promise<void> {
  const responseCache = await registerGateway(app, {
    cache: infra.cache,
    redis: infra.redis,
    deploymentName: config.deploymentName,
    metrics: infra.metrics,
    rateLimitPerMinute: config.rateLimitPerMinute,
    remoteServices: services.plan.remote.map(({ service, url }) => ({
      name: service.name,
      url,
      publicPaths: service.publicPaths,
      rootPaths: service.gateway.accessTokenKeysPath ? [service.gateway.accessTokenKeysPath] : [],
    })),
  });
  const drop = async (prefixes: string[]) => {
    for (const prefix of prefixes) await responseCache.invalidate(prefix);
  };
  for (const module of services.modules) module.onPublicChange?.(drop);
  for (const { service } of services.plan.remote) {
    const stale = service.gateway.staleResponses;
    if (stale)
      await infra.bus.subscribe(`gateway-${service.name}-cache`, stale.subjects, (event) =>
        drop(stale.fromEvent(event)),
      );
  }
}

/** A process without the gateway describes its public routes for the gateway that forwards to them. */
async function describeOwnRoutes(app: HttpServer): Promise<void> {
  await describeRoutes(app);
  serveOwnDescription(app);
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
