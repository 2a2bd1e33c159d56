// Starts the payment gateway sandbox as its own process: `npx tsx sandboxes/payments/src/cli.ts`.
import { join } from 'node:path';
import { createPaymentSandbox, type PaymentSandboxOptions } from './server.ts';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function optionsFromEnv(): PaymentSandboxOptions {
  const env = process.env;
  return {
    apiKey: env['PAYMENTS_SANDBOX_API_KEY'] || undefined,
    latency: {
      fixedMs: intFromEnv('PAYMENTS_SANDBOX_LATENCY_MS', 0),
      jitterMs: intFromEnv('PAYMENTS_SANDBOX_LATENCY_JITTER_MS', 0),
    },
    timeoutHangMs: intFromEnv('PAYMENTS_SANDBOX_TIMEOUT_HANG_MS', 30_000),
    webhookUrl: env['PAYMENTS_SANDBOX_WEBHOOK_URL'] || undefined,
    webhookSecret: env['PAYMENTS_SANDBOX_WEBHOOK_SECRET'] || undefined,
    webhookMaxAttempts: intFromEnv('PAYMENTS_SANDBOX_WEBHOOK_MAX_ATTEMPTS', 6),
    webhookBackoffMs: intFromEnv('PAYMENTS_SANDBOX_WEBHOOK_BACKOFF_MS', 500),
    // A gateway remembers its payments: a paid order stays refundable after a restart.
    stateFile:
      env['PAYMENTS_SANDBOX_STATE_FILE'] ||
      join(env['DATA_DIR'] || './.data', 'payment-sandbox', 'state.json'),
    logger: { level: env['LOG_LEVEL'] || 'info' },
  };
}

const sandbox = createPaymentSandbox(optionsFromEnv());
const port = intFromEnv('PAYMENTS_SANDBOX_PORT', 4010);
const host = process.env['PAYMENTS_SANDBOX_HOST'] || '127.0.0.1';
await sandbox.listen(port, host);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        sandbox.app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  });
}
