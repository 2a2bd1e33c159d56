import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const gatewaySecrets = {
  PAYMENTS_GATEWAY_API_KEY: 'sk_live_0123456789abcdef',
  PAYMENTS_WEBHOOK_SECRET: 'whsec_live_0123456789abcdef',
};

describe('config', () => {
  it('defaults to every service, embedded, on port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.services).toBe('all');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.rateLimitPerMinute).toBe(600);
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ RATE_LIMIT_PER_MINUTE: 'many' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ SERVICE_URL_CATALOG: 'catalog:3000' }, 'SERVICE_URL_CATALOG'],
    [{ PAYMENTS_GATEWAY_URL: 'ftp://gateway' }, 'PAYMENTS_GATEWAY_URL'],
    [{ PAYMENTS_GATEWAY_TIMEOUT_MS: '0' }, 'PAYMENTS_GATEWAY_TIMEOUT_MS'],
    [{ PAYMENTS_GATEWAY_RETRIES: 'often' }, 'PAYMENTS_GATEWAY_RETRIES'],
    [{ PAYMENTS_SANDBOX_PORT: '70000' }, 'PAYMENTS_SANDBOX_PORT'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('reads the payment gateway settings, with sandbox defaults', () => {
    expect(loadConfig({}).payments).toEqual({
      gatewayUrl: undefined,
      gatewayApiKey: 'sk_test_emporium',
      webhookSecret: 'whsec_emporium_dev',
      gatewayTimeoutMs: 3_000,
      gatewayRetries: 3,
      sandboxPort: 4010,
    });
    const config = loadConfig({
      PAYMENTS_GATEWAY_URL: 'https://gateway.example/',
      ...gatewaySecrets,
      PAYMENTS_GATEWAY_RETRIES: '0',
    });
    expect(config.payments).toMatchObject({
      gatewayUrl: 'https://gateway.example',
      gatewayApiKey: 'sk_live_0123456789abcdef',
      webhookSecret: 'whsec_live_0123456789abcdef',
      gatewayRetries: 0,
    });
  });

  it('accepts the development payment secrets when no gateway URL is set', () => {
    const config = loadConfig({
      PAYMENTS_WEBHOOK_SECRET: 'whsec_emporium_dev',
      PAYMENTS_GATEWAY_API_KEY: 'sk_test_emporium',
    });
    expect(config.payments).toMatchObject({
      gatewayUrl: undefined,
      webhookSecret: 'whsec_emporium_dev',
      gatewayApiKey: 'sk_test_emporium',
    });
  });

  it.each([
    [{ PAYMENTS_WEBHOOK_SECRET: undefined }, 'PAYMENTS_WEBHOOK_SECRET must be set'],
    [{ PAYMENTS_WEBHOOK_SECRET: '' }, 'PAYMENTS_WEBHOOK_SECRET must be set'],
    [
      { PAYMENTS_WEBHOOK_SECRET: 'whsec_emporium_dev' },
      'PAYMENTS_WEBHOOK_SECRET must not be the development',
    ],
    [{ PAYMENTS_WEBHOOK_SECRET: 'whsec_short' }, 'PAYMENTS_WEBHOOK_SECRET must be at least 16 characters'],
    [{ PAYMENTS_GATEWAY_API_KEY: undefined }, 'PAYMENTS_GATEWAY_API_KEY must be set'],
    [
      { PAYMENTS_GATEWAY_API_KEY: 'sk_test_emporium' },
      'PAYMENTS_GATEWAY_API_KEY must not be the development',
    ],
  ])('refuses %j with a real gateway URL: %s', (override, message) => {
    const env = { PAYMENTS_GATEWAY_URL: 'https://gateway.example', ...gatewaySecrets, ...override };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
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
});
