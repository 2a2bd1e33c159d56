import { isIP } from 'node:net';

/**
 * Configuration is read once from the environment, validated, and passed down. A bad or missing value
 * stops the process with a message naming the variable (ConfigError).
 */
export interface Config {
  /** The environment this was read from: each service reads its own variables from it (its settings). */
  env: Env;
  port: number;
  host: string;
  logLevel: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  dataDir: string;
  /** SERVICES: the services of this process, checked against the registry at start; `all` by default. */
  services: string[] | 'all';
  /** SERVICE_URL_<NAME>, by lower-case name: where a service of another process is. */
  serviceUrls: Record<string, string>;
  /** SERVICE_INTERNAL_URL_<NAME>: where that service's internal listener is, when not at its SERVICE_URL. */
  internalUrls: Record<string, string>;
  /** SERVICE_KEY: signs and checks the tokens of calls between processes (required when there are several). */
  serviceKey: string | undefined;
  /** INTERNAL_PORT / INTERNAL_HOST: a separate listener for `/internal/*`, e.g. on a private address. */
  internalPort: number | undefined;
  internalHost: string;
  /**
   * TRUSTED_PROXIES: the hops (addresses, CIDRs, or `loopback`/`linklocal`/`uniquelocal`) whose
   * X-Forwarded-For names the client; from anyone else the header is ignored. Default `loopback`.
   */
  trustedProxies: string[];
  rateLimitPerMinute: number;
  /** CORS_ORIGINS: origins a browser may call the API from (comma-separated); none by default. */
  corsOrigins: string[];
  publicCacheTtlSeconds: number;
  seedDemoData: boolean;
  /**
   * STORE_CURRENCY (ISO 4217, default USD): the store's currency, what an empty cart is priced in and what
   * catalog import rows without a currency are priced in.
   */
  storeCurrency: string;
  shutdownTimeoutMs: number;
  /**
   * DEPLOYMENT_NAME, default `emporium`: prefixes every name this store owns on a shared Redis or NATS
   * server (cache keys, rate-limit and login counters, the JetStream stream and its subjects), so two
   * stores on one server never read each other's state (ADR 0010).
   */
  deploymentName: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function services(env: Env): string[] | 'all' {
  const raw = env.SERVICES?.trim();
  if (raw === undefined || raw === '' || raw === 'all') return 'all';
  return raw.split(',').map((s) => s.trim().toLowerCase());
}

function serviceUrls(env: Env, prefix: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of Object.keys(env).filter((key) => key.startsWith(prefix))) {
    const value = url(env, name, ['http:', 'https:']);
    if (value) urls[name.slice(prefix.length).toLowerCase()] = value.replace(/\/$/, '');
  }
  return urls;
}

/**
 * Calls between processes carry tokens signed with SERVICE_KEY, so a deployment of several processes
 * (another service's URL set, a process without the gateway, or a separate internal listener) needs one.
 */
function serviceKey(env: Env, distributed: boolean): string | undefined {
  const key = env.SERVICE_KEY || undefined;
  if (key !== undefined && key.length < 32)
    throw new ConfigError('SERVICE_KEY', 'must be at least 32 characters (e.g. `openssl rand -hex 32`)');
  if (key === undefined && distributed)
    throw new ConfigError(
      'SERVICE_KEY',
      'must be set when services run in several processes (e.g. `openssl rand -hex 32`, the same in each)',
    );
  return key;
}

function internalListener(env: Env) {
  const raw = env.INTERNAL_PORT;
  return {
    internalPort: raw === undefined || raw === '' ? undefined : integer(env, 'INTERNAL_PORT', 0, 0, 65535),
    internalHost: env.INTERNAL_HOST || '127.0.0.1',
  };
}

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * Only the gateway (and a load balancer in front of it) may say who the client is: a client that writes
 * its own X-Forwarded-For to a public port must not pick the address its login attempts are counted by.
 * Loopback by default, which is where the gateway is in the README's several-process recipe.
 */
function trustedProxies(env: Env): string[] {
  const raw = env.TRUSTED_PROXIES?.trim();
  if (raw === undefined || raw === '') return ['loopback'];
  if (raw === 'none') return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isProxyEntry(entry));
  if (bad !== undefined)
    throw new ConfigError(
      'TRUSTED_PROXIES',
      `must be "none" or a list of addresses, CIDRs, loopback, linklocal or uniquelocal; got "${bad}"`,
    );
  return entries;
}

function currency(env: Env, name: string, fallback: string): string {
  const code = env[name] || fallback;
  if (!/^[A-Z]{3}$/.test(code))
    throw new ConfigError(name, `must be an ISO 4217 code such as USD, got "${code}"`);
  return code;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

// Lower case, digits and inner dashes: valid unchanged in a Redis key, a NATS subject token and (upper
// cased) a JetStream stream name, and no two names map to the same stream.
const DEPLOYMENT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function deploymentName(env: Env): string {
  const raw = env.DEPLOYMENT_NAME;
  if (raw === undefined || raw === '') return 'emporium';
  if (raw.length > 40 || !DEPLOYMENT_NAME.test(raw))
    throw new ConfigError(
      'DEPLOYMENT_NAME',
      `must be 1 to 40 lowercase letters, digits and dashes (not at either end), got "${raw}"`,
    );
  return raw;
}

/** Each entry must be a bare origin (`https://shop.example`): no path, no wildcard. */
function origins(env: Env): string[] {
  const raw = env.CORS_ORIGINS?.trim();
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim().replace(/\/$/, '');
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin)
      throw new ConfigError('CORS_ORIGINS', `must list origins such as https://shop.example, got "${entry}"`);
    return origin;
  });
}

/** For services' own settings: the same checks, the same one-line errors. */
export { integer as envInteger, url as envUrl };

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  const chosen = services(env);
  const urls = serviceUrls(env, 'SERVICE_URL_');
  const listener = internalListener(env);
  // A process without the gateway serves its internal routes to other processes.
  const distributed =
    Object.keys(urls).length > 0 ||
    (chosen !== 'all' && !chosen.includes('gateway')) ||
    listener.internalPort !== undefined;
  return {
    env,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    logLevel,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    dataDir: env.DATA_DIR ?? './.data',
    services: chosen,
    serviceUrls: urls,
    internalUrls: serviceUrls(env, 'SERVICE_INTERNAL_URL_'),
    serviceKey: serviceKey(env, distributed),
    ...listener,
    trustedProxies: trustedProxies(env),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
    corsOrigins: origins(env),
    publicCacheTtlSeconds: integer(env, 'PUBLIC_CACHE_TTL_SECONDS', 30, 0, 86_400),
    seedDemoData: boolean(env, 'SEED_DEMO_DATA', true),
    storeCurrency: currency(env, 'STORE_CURRENCY', 'USD'),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    deploymentName: deploymentName(env),
  };
}
