import { DEV_GATEWAY_API_KEY, DEV_WEBHOOK_SECRET, type PaymentConfig } from '@emporium/platform';

/**
 * What the payments service needs, derived once from the platform Config (`config.payments`, validated
 * at start) by the composition root; services never read the environment themselves (ADR 0706).
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
