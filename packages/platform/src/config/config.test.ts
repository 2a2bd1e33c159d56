import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('defaults to every service, embedded, on port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.services).toBe('all');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.rateLimitPerMinute).toBe(600);
  });

  it('names the deployment emporium unless DEPLOYMENT_NAME says otherwise', () => {
    expect(loadConfig({}).deploymentName).toBe('emporium');
    expect(loadConfig({ DEPLOYMENT_NAME: 'shop-b2' }).deploymentName).toBe('shop-b2');
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ RATE_LIMIT_PER_MINUTE: 'many' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ SERVICE_URL_CATALOG: 'catalog:3000' }, 'SERVICE_URL_CATALOG'],
    [{ DEPLOYMENT_NAME: 'Shop_A' }, 'DEPLOYMENT_NAME'],
    [{ DEPLOYMENT_NAME: 'shop.a' }, 'DEPLOYMENT_NAME'],
    [{ DEPLOYMENT_NAME: '-shop' }, 'DEPLOYMENT_NAME'],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES'],
    [{ TRUSTED_PROXIES: 'gateway.internal' }, 'TRUSTED_PROXIES'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://shop.example/path' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'shop.example' }, 'CORS_ORIGINS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('allows no cross-origin browser calls unless CORS_ORIGINS lists origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://shop.example/, http://localhost:5173' }).corsOrigins).toEqual([
      'https://shop.example',
      'http://localhost:5173',
    ]);
  });

  it('reads the services of this process and where the others live', () => {
    const key = 'k'.repeat(32);
    const config = loadConfig({
      SERVICES: 'catalog, search',
      SERVICE_URL_USERS: 'http://users:3001/',
      SERVICE_INTERNAL_URL_USERS: 'http://10.0.0.7:4001',
      SERVICE_KEY: key,
    });
    expect(config.services).toEqual(['catalog', 'search']);
    expect(config.serviceUrls.users).toBe('http://users:3001');
    expect(config.internalUrls.users).toBe('http://10.0.0.7:4001');
    expect(config.serviceKey).toBe(key);
  });

  it('requires a SERVICE_KEY wherever processes call each other, and none in the one-process store', () => {
    expect(loadConfig({}).serviceKey).toBeUndefined();
    expect(loadConfig({ SERVICES: 'gateway,users' }).serviceKey).toBeUndefined();
    expect(() => loadConfig({ SERVICES: 'catalog' })).toThrow(/SERVICE_KEY/);
    expect(() => loadConfig({ SERVICE_URL_USERS: 'http://users:3001' })).toThrow(/SERVICE_KEY/);
    expect(() => loadConfig({ INTERNAL_PORT: '3100' })).toThrow(/SERVICE_KEY/);
    expect(() => loadConfig({ SERVICES: 'catalog', SERVICE_KEY: 'short' })).toThrow(/32 characters/);
    const split = loadConfig({ INTERNAL_PORT: '3100', SERVICE_KEY: 'k'.repeat(32) });
    expect([split.internalPort, split.internalHost]).toEqual([3100, '127.0.0.1']);
  });

  it('trusts X-Forwarded-For from loopback only, unless TRUSTED_PROXIES says otherwise', () => {
    expect(loadConfig({}).trustedProxies).toEqual(['loopback']);
    expect(loadConfig({ TRUSTED_PROXIES: 'none' }).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8 ,192.0.2.7' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
  });
});
