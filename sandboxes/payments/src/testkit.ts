// Shared by the tests: a sandbox listening on a free port and a small JSON client for it.
import {
  createPaymentSandbox,
  DEFAULT_API_KEY,
  type PaymentSandbox,
  type PaymentSandboxOptions,
} from './server.ts';

export interface CallResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface RunningSandbox {
  sandbox: PaymentSandbox;
  baseUrl: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  authorize(
    token: string,
    extra?: { amount?: number; key?: string; reference?: string },
  ): Promise<CallResult>;
  close(): Promise<void>;
}

export async function startSandbox(options: PaymentSandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createPaymentSandbox(options);
  const baseUrl = await sandbox.listen(0);
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const call: RunningSandbox['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return {
    sandbox,
    baseUrl,
    call,
    authorize: (token, extra = {}) =>
      call(
        'POST',
        '/v1/authorizations',
        { amount: extra.amount ?? 1999, currency: 'EUR', token, reference: extra.reference ?? 'order_1' },
        extra.key ? { 'idempotency-key': extra.key } : {},
      ),
    close: () => sandbox.close(),
  };
}

/** Authorization ids the sandbox emitted an event for, by type: counts what was actually done. */
export function eventsOf(running: RunningSandbox, type: string): string[] {
  return running.sandbox.webhooks
    .list()
    .filter((r) => r.event.type === type)
    .map((r) => r.event.data.authorization.id);
}
