import {
  ConfigError,
  type Config,
  type Infrastructure,
  type RegisteredService,
  type ServiceModule,
  type ServiceTokens,
  type SideProcess,
} from '@emporium/platform';
import { GATEWAY, serviceRegistry } from './registry.ts';

/** What this process runs and where the rest is, checked before anything starts. */
export interface CompositionPlan {
  /** The services of this process, dependencies first. */
  local: { service: RegisteredService; settings: unknown }[];
  /** Services that run elsewhere, with the URL of their public routes. */
  remote: { service: RegisteredService; url: string }[];
  gateway: boolean;
}

export interface ComposedServices {
  plan: CompositionPlan;
  modules: ServiceModule[];
  /** The domain API of every service this process reaches, by name: local or its HTTP client. */
  apis: ReadonlyMap<string, unknown>;
}

/** Dependencies before dependants; a cycle is a programming error and stops the start. */
export function buildOrder(services: readonly RegisteredService[]): RegisteredService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: RegisteredService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: RegisteredService, path: string[]) => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting')
      throw new Error(`service dependencies form a cycle: ${[...path, service.name].join(' → ')}`);
    state.set(service.name, 'visiting');
    for (const need of service.needs) {
      const dependency = byName.get(need.service);
      if (dependency) visit(dependency, [...path, service.name]);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}

function localNames(config: Config, known: Set<string>): Set<string> {
  if (config.services === 'all') return known;
  for (const name of config.services)
    if (!known.has(name))
      throw new ConfigError(
        'SERVICES',
        `names an unknown service "${name}" (known: ${[...known].join(', ')})`,
      );
  return new Set(config.services);
}

/**
 * Checks SERVICES and SERVICE_URL_<NAME> against the registry and reads each local service's own
 * settings: every mistake stops the start with one line, before any infrastructure is opened.
 */
export function planComposition(config: Config, registry = serviceRegistry): CompositionPlan {
  const known = new Set([GATEWAY, ...registry.map((s) => s.name)]);
  const local = localNames(config, known);
  for (const name of Object.keys(config.serviceUrls))
    if (!known.has(name))
      throw new ConfigError(`SERVICE_URL_${name.toUpperCase()}`, 'names no known service');
  const gateway = local.has(GATEWAY);
  const needed = new Set(
    registry
      .filter((s) => local.has(s.name))
      .flatMap((s) => s.needs.filter((n) => !n.optional).map((n) => n.service)),
  );
  const plan: CompositionPlan = { local: [], remote: [], gateway };
  for (const service of buildOrder(registry)) {
    if (local.has(service.name)) {
      plan.local.push({ service, settings: service.settings(config.env, config) });
      continue;
    }
    const url = config.serviceUrls[service.name];
    if (url) plan.remote.push({ service, url });
    else if (gateway || needed.has(service.name))
      throw new ConfigError(
        `SERVICE_URL_${service.name.toUpperCase()}`,
        `must be set: ${service.name} is needed here but not in SERVICES`,
      );
  }
  return plan;
}

/**
 * Builds the services of this process in dependency order; a dependency that lives in another process
 * is replaced by its HTTP client, which signs its calls with this process's service tokens.
 */
export async function composeServices(
  config: Config,
  infra: Infrastructure,
  plan: CompositionPlan,
  tokens: ServiceTokens | undefined,
): Promise<ComposedServices> {
  const apis = new Map<string, unknown>();
  for (const { service, url } of plan.remote)
    apis.set(service.name, service.client(config.internalUrls[service.name] ?? url, { tokens }));
  const modules: ServiceModule[] = [];
  for (const { service, settings } of plan.local) {
    const built = await service.create({ config, infra }, settings, apis);
    apis.set(service.name, built.api);
    modules.push(built.module);
  }
  return { plan, modules, apis };
}

/** The side processes the local services need on embedded defaults (the payment sandbox). */
export async function startSideProcesses(config: Config, plan: CompositionPlan): Promise<SideProcess[]> {
  const started: SideProcess[] = [];
  for (const { service, settings } of plan.local) {
    const side = await service.embedded?.(settings, config);
    if (side) started.push(side);
  }
  return started;
}
