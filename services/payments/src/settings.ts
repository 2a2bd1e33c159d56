import type { PaymentConfig } from '@emporium/platform';

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

export function paymentSettings(config: Partial<PaymentConfig> = {}): PaymentSettings {
  const port = config.sandboxPort ?? DEFAULT_SANDBOX_PORT;
  return {
    gatewayUrl: (config.gatewayUrl ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    apiKey: config.gatewayApiKey ?? 'sk_test_emporium',
    webhookSecret: config.webhookSecret ?? 'whsec_emporium_dev',
    timeoutMs: config.gatewayTimeoutMs ?? 3_000,
    retries: config.gatewayRetries ?? 3,
    toleranceSeconds: 300,
    embeddedSandbox: config.gatewayUrl === undefined,
    sandboxPort: port,
  };
}
