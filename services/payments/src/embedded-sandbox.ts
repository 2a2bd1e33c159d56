import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PaymentSettings } from './settings.ts';

export interface RunningSandbox {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts sandboxes/payments as its own process (the embedded `npm start` has no real gateway), with its
 * webhooks pointed at our webhook route and signed with our secret, and waits until it answers.
 */
export async function startPaymentSandbox(
  settings: PaymentSettings,
  webhookUrl: string,
  options: { logLevel?: string; stateFile?: string } = {},
): Promise<RunningSandbox> {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.resolve('@emporium/sandbox-payments')));
  const child: ChildProcess = fork(cli, [], {
    execArgv: ['--import', 'tsx'],
    // Its own settings only: the sandbox is another program and gets none of our secrets but its own.
    env: {
      LOG_LEVEL: options.logLevel ?? 'warn',
      PAYMENTS_SANDBOX_PORT: String(settings.sandboxPort),
      PAYMENTS_SANDBOX_API_KEY: settings.apiKey,
      PAYMENTS_SANDBOX_WEBHOOK_URL: webhookUrl,
      PAYMENTS_SANDBOX_WEBHOOK_SECRET: settings.webhookSecret,
      ...(options.stateFile ? { PAYMENTS_SANDBOX_STATE_FILE: options.stateFile } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const up = await fetch(`${settings.gatewayUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null) throw new Error(`payment sandbox exited with code ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: settings.gatewayUrl,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
    },
  };
}
