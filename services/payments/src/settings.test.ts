import { describe, expect, it } from 'vitest';
import { ConfigError } from '@emporium/platform';
import { paymentConfigFromEnv } from './settings.ts';

const gatewaySecrets = {
  PAYMENTS_GATEWAY_API_KEY: 'sk_live_0123456789abcdef',
  PAYMENTS_WEBHOOK_SECRET: 'whsec_live_0123456789abcdef',
};

describe('payment settings', () => {
  it.each([
    [{ PAYMENTS_GATEWAY_URL: 'ftp://gateway' }, 'PAYMENTS_GATEWAY_URL'],
    [{ PAYMENTS_GATEWAY_TIMEOUT_MS: '0' }, 'PAYMENTS_GATEWAY_TIMEOUT_MS'],
    [{ PAYMENTS_GATEWAY_RETRIES: 'often' }, 'PAYMENTS_GATEWAY_RETRIES'],
    [{ PAYMENTS_SANDBOX_PORT: '70000' }, 'PAYMENTS_SANDBOX_PORT'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => paymentConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => paymentConfigFromEnv(env)).toThrow(variable);
  });

  it('reads the payment gateway settings, with sandbox defaults', () => {
    expect(paymentConfigFromEnv({})).toEqual({
      gatewayUrl: undefined,
      gatewayApiKey: 'sk_test_emporium',
      webhookSecret: 'whsec_emporium_dev',
      gatewayTimeoutMs: 3_000,
      gatewayRetries: 3,
      sandboxPort: 4010,
    });
    const config = paymentConfigFromEnv({
      PAYMENTS_GATEWAY_URL: 'https://gateway.example/',
      ...gatewaySecrets,
      PAYMENTS_GATEWAY_RETRIES: '0',
    });
    expect(config).toMatchObject({
      gatewayUrl: 'https://gateway.example',
      gatewayApiKey: 'sk_live_0123456789abcdef',
      webhookSecret: 'whsec_live_0123456789abcdef',
      gatewayRetries: 0,
    });
  });

  it('accepts the development payment secrets when no gateway URL is set', () => {
    const config = paymentConfigFromEnv({
      PAYMENTS_WEBHOOK_SECRET: 'whsec_emporium_dev',
      PAYMENTS_GATEWAY_API_KEY: 'sk_test_emporium',
    });
    expect(config).toMatchObject({
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
    expect(() => paymentConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => paymentConfigFromEnv(env)).toThrow(message);
  });
});
