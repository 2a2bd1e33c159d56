import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SERVICE_NAMES } from './config.ts';

describe('config', () => {
  it('defaults to every service, embedded, on port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.services).toEqual([...SERVICE_NAMES]);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.rateLimitPerMinute).toBe(600);
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SERVICES: 'catalog,warehouse' }, 'SERVICES'],
    [{ RATE_LIMIT_PER_MINUTE: 'many' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ SERVICE_URL_CATALOG: 'catalog:3000' }, 'SERVICE_URL_CATALOG'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('reads the services of this process and where the others live', () => {
    const config = loadConfig({ SERVICES: 'catalog, search', SERVICE_URL_USERS: 'http://users:3001/' });
    expect(config.services).toEqual(['catalog', 'search']);
    expect(config.serviceUrls.users).toBe('http://users:3001');
  });
});
