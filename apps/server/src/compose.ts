import {
  ConfigError,
  type Config,
  type Infrastructure,
  type ServiceModule,
  type ServiceName,
  type ServiceTokens,
} from '@emporium/platform';
import { serviceEntries, type ServiceApis } from './registry.ts';

export interface ComposedServices {
  modules: ServiceModule[];
  apis: ServiceApis;
  /** Services that run elsewhere, by base URL. */
  remote: Partial<Record<ServiceName, string>>;
}

/**
 * Builds the services of this process in dependency order; a dependency that lives in another process
 * is replaced by its HTTP client at SERVICE_URL_<NAME>, which must then be set.
 */
export async function composeServices(
  config: Config,
  infra: Infrastructure,
  tokens: ServiceTokens | undefined,
): Promise<ComposedServices> {
  const local = new Set(config.services);
  const apis: ServiceApis = {};
  const modules: ServiceModule[] = [];
  const remote: Partial<Record<ServiceName, string>> = {};
  const needed = new Set<ServiceName>();
  for (const entry of serviceEntries)
    if (local.has(entry.name)) entry.dependsOn.forEach((d) => needed.add(d));
  if (local.has('gateway')) serviceEntries.forEach((e) => needed.add(e.name));

  for (const entry of serviceEntries) {
    if (local.has(entry.name)) {
      const built = await entry.create({ config, infra }, apis);
      apis[entry.name] = built.api;
      modules.push(built.module);
      continue;
    }
    const url = config.serviceUrls[entry.name];
    if (url) {
      remote[entry.name] = url;
      const internalUrl = config.internalUrls[entry.name] ?? url;
      if (entry.client) apis[entry.name] = entry.client(internalUrl, { tokens });
    } else if (needed.has(entry.name) && !local.has('gateway')) {
      throw new ConfigError(
        `SERVICE_URL_${entry.name.toUpperCase()}`,
        `must be set: ${entry.name} is needed here but not in SERVICES`,
      );
    }
  }
  return { modules, apis, remote };
}
