/**
 * Payment settings. The platform Config has no payment fields yet, so the composition root passes the
 * environment here once, at start (see the registry entry); services never read process.env themselves.
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

export function paymentSettings(env: Record<string, string | undefined>): PaymentSettings {
  const port = Number(env.PAYMENTS_SANDBOX_PORT || DEFAULT_SANDBOX_PORT);
  const url = env.PAYMENTS_GATEWAY_URL || undefined;
  return {
    gatewayUrl: (url ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    apiKey: env.PAYMENTS_GATEWAY_API_KEY || 'sk_test_emporium',
    webhookSecret: env.PAYMENTS_WEBHOOK_SECRET || 'whsec_emporium_dev',
    timeoutMs: Number(env.PAYMENTS_GATEWAY_TIMEOUT_MS || 3_000),
    retries: Number(env.PAYMENTS_GATEWAY_RETRIES || 3),
    toleranceSeconds: 300,
    embeddedSandbox: url === undefined,
    sandboxPort: port,
  };
}
