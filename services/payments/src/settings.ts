import { ConfigError, envInteger, envUrl, type Env } from '@emporium/platform';

/** How the payments service reaches the card gateway and checks its webhooks (ADR 0706, 0707). */
export interface PaymentConfig {
  /** PAYMENTS_GATEWAY_URL; unset: the embedded server starts the sandbox at 127.0.0.1:`sandboxPort`. */
  gatewayUrl: string | undefined;
  /**
   * PAYMENTS_GATEWAY_API_KEY, default `sk_test_emporium` (the embedded sandbox's test key); required, and
   * not that key, when `gatewayUrl` is set.
   */
  gatewayApiKey: string;
  /**
   * PAYMENTS_WEBHOOK_SECRET, default `whsec_emporium_dev` (the embedded sandbox's); required, not that
   * value and at least 16 characters when `gatewayUrl` is set.
   */
  webhookSecret: string;
  /** PAYMENTS_GATEWAY_TIMEOUT_MS, default 3000: per call; a timed-out call is retried with its key. */
  gatewayTimeoutMs: number;
  /** PAYMENTS_GATEWAY_RETRIES, default 3: extra attempts after a timeout, network error or 5xx. */
  gatewayRetries: number;
  /** PAYMENTS_SANDBOX_PORT, default 4010: where the embedded sandbox listens. */
  sandboxPort: number;
}

export const DEV_GATEWAY_API_KEY = 'sk_test_emporium';
export const DEV_WEBHOOK_SECRET = 'whsec_emporium_dev';
const MIN_WEBHOOK_SECRET_LENGTH = 16;

/**
 * The development values are published in this repository: against a gateway someone configured on
 * purpose they would let anyone sign webhooks that move orders, so there they are refused, as is a webhook
 * secret short enough to guess. Without a gateway URL only the embedded sandbox sees them.
 */
function paymentSecret(env: Env, name: string, development: string, minLength: number): string {
  const raw = env[name] || undefined;
  if (!env.PAYMENTS_GATEWAY_URL) return raw ?? development;
  if (raw === undefined) throw new ConfigError(name, 'must be set when PAYMENTS_GATEWAY_URL is set');
  if (raw === development)
    throw new ConfigError(name, 'must not be the development value when PAYMENTS_GATEWAY_URL is set');
  if (raw.length < minLength)
    throw new ConfigError(name, `must be at least ${minLength} characters when PAYMENTS_GATEWAY_URL is set`);
  return raw;
}

/** PAYMENTS_* as the environment gives them, validated: the payments service's own settings. */
export function paymentConfigFromEnv(env: Env): PaymentConfig {
  return {
    gatewayUrl: envUrl(env, 'PAYMENTS_GATEWAY_URL', ['http:', 'https:'])?.replace(/\/$/, ''),
    gatewayApiKey: paymentSecret(env, 'PAYMENTS_GATEWAY_API_KEY', DEV_GATEWAY_API_KEY, 1),
    webhookSecret: paymentSecret(
      env,
      'PAYMENTS_WEBHOOK_SECRET',
      DEV_WEBHOOK_SECRET,
      MIN_WEBHOOK_SECRET_LENGTH,
    ),
    gatewayTimeoutMs: envInteger(env, 'PAYMENTS_GATEWAY_TIMEOUT_MS', 3_000, 50, 120_000),
    gatewayRetries: envInteger(env, 'PAYMENTS_GATEWAY_RETRIES', 3, 0, 10),
    sandboxPort: envInteger(env, 'PAYMENTS_SANDBOX_PORT', 4010, 1, 65535),
  };
}

/**
 * What the payments service needs, derived once at start from its variables (`paymentConfigFromEnv`,
 * called through the service's definition) or given by a test or script (`paymentSettings`).
 */
export interface PaymentSettings {
  gatewayUrl: string;
  apiKey: string;
  webhookSecret: string;
  /** Per gateway call; a timed-out call is retried with the same idempotency key. */
  timeoutMs: number;
  retries: number;
  /** Webhook timestamp tolerance. */
  toleranceSeconds: number;
  /** True when no gateway URL was configured: the embedded server starts the sandbox itself. */
  embeddedSandbox: boolean;
  sandboxPort: number;
}

export const DEFAULT_SANDBOX_PORT = 4010;

/**
 * The development key and secret are filled in only for the embedded sandbox: a caller naming a gateway
 * (tests, scripts) passes its own, as `loadConfig` demands of the environment (ADR 0707).
 */
export function paymentSettings(config: Partial<PaymentConfig> = {}): PaymentSettings {
  const port = config.sandboxPort ?? DEFAULT_SANDBOX_PORT;
  if (config.gatewayUrl !== undefined && (!config.gatewayApiKey || !config.webhookSecret))
    throw new Error('paymentSettings: a gateway URL needs its gatewayApiKey and webhookSecret');
  return {
    gatewayUrl: (config.gatewayUrl ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    apiKey: config.gatewayApiKey ?? DEV_GATEWAY_API_KEY,
    webhookSecret: config.webhookSecret ?? DEV_WEBHOOK_SECRET,
    timeoutMs: config.gatewayTimeoutMs ?? 3_000,
    retries: config.gatewayRetries ?? 3,
    toleranceSeconds: 300,
    embeddedSandbox: config.gatewayUrl === undefined,
    sandboxPort: port,
  };
}
