import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createExecutor } from './execute.ts';
import { IdempotencyStore } from './idempotency.ts';
import { Ledger } from './ledger.ts';
import { installProblemHandlers, problem, sendProblem } from './problem.ts';
import { registerRoutes } from './routes.ts';
import { Sleeper } from './sleeper.ts';
import { StateFile, type SandboxState } from './state-file.ts';
import { WebhookDispatcher, type WebhookConfig } from './webhooks.ts';

export interface PaymentSandboxOptions {
  /** Secret API key clients send as `Authorization: Bearer <key>`. Default `sk_test_emporium`. */
  apiKey?: string;
  /** Added to every request before it is handled: `fixedMs` plus a uniform random share of `jitterMs`. */
  latency?: { fixedMs?: number; jitterMs?: number };
  /** How long `tok_timeout` holds its answer (cut short by `close()`). Default 30 000 ms. */
  timeoutHangMs?: number;
  /** Receiver of signed events; both or neither of url and secret. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Attempts per event, the first included. Default 6. */
  webhookMaxAttempts?: number;
  /** First retry delay, doubled per retry up to `webhookMaxBackoffMs`. Defaults 500 ms and 30 s. */
  webhookBackoffMs?: number;
  webhookMaxBackoffMs?: number;
  webhookTimeoutMs?: number;
  /** How long an idempotent answer is kept. Default 24 h, as Stripe. */
  idempotencyTtlMs?: number;
  logger?: FastifyServerOptions['logger'];
  /**
   * Where payments, refunds and idempotent answers are kept across restarts (the CLI always gives one);
   * without it they live in memory, for tests that start a sandbox of their own.
   */
  stateFile?: string;
  /** Journal bytes after which the state file is compacted into a snapshot (default 1 MiB); for tests. */
  stateFileCompactAfterBytes?: number;
  /** Injected for deterministic latency in tests. */
  random?: () => number;
}

export interface PaymentSandbox {
  app: FastifyInstance;
  webhooks: WebhookDispatcher;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:4010`. Port 0 picks a free one. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'sk_test_emporium';

export function createPaymentSandbox(options: PaymentSandboxOptions = {}): PaymentSandbox {
  const sleeper = new Sleeper();
  const app = Fastify({
    logger: options.logger ?? false,
    // A payment API must not guess: "100" is not an amount and unknown fields are errors, not dropped.
    // allErrors lists every field at fault in one answer.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });
  const webhooks = new WebhookDispatcher(webhookConfig(options), app.log);
  installProblemHandlers(app);
  acceptEmptyJsonBodies(app);
  installAuth(app, options.apiKey ?? DEFAULT_API_KEY);
  const delay = latency(sleeper, options);
  // Reads wait before routing; writes wait inside the executor, where an idempotency key is held meanwhile.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && request.url !== '/healthz') await delay();
  });
  const ledger = new Ledger();
  const idempotency = new IdempotencyStore(options.idempotencyTtlMs ?? 24 * 3600_000);
  const state = options.stateFile
    ? durable(options, options.stateFile, ledger, idempotency, app.log)
    : undefined;
  registerRoutes(app, {
    ledger,
    webhooks,
    execute: createExecutor(idempotency, sleeper, delay, state?.persist),
    timeoutHangMs: options.timeoutHangMs ?? 30_000,
  });

  return {
    app,
    webhooks,
    async listen(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    async close() {
      // Wake simulated hangs first: Fastify's close waits for in-flight requests.
      sleeper.wakeAll();
      await app.close();
      await webhooks.close();
      await state?.close();
    },
  };
}

/**
 * Restores what the file holds, then journals each change: `persist` records what changed since it was
 * last called and resolves once that is on disk; every write awaits it before it answers.
 */
function durable(
  options: PaymentSandboxOptions,
  path: string,
  ledger: Ledger,
  idempotency: IdempotencyStore,
  log: FastifyBaseLogger,
): { persist: () => Promise<void>; close: () => Promise<void> } {
  const file = new StateFile(path, { compactAfterBytes: options.stateFileCompactAfterBytes });
  const loaded = file.load();
  if (loaded) {
    ledger.restore(loaded.state);
    idempotency.restore(loaded.state.idempotency);
    if (loaded.discardedBytes > 0) {
      log.warn({ path, bytes: loaded.discardedBytes }, 'state file: dropped an unfinished last write');
    }
  }
  ledger.trackChanges();
  idempotency.trackChanges();
  const snapshot = (): SandboxState => ({
    version: 1,
    ...ledger.snapshot(),
    idempotency: idempotency.snapshot(),
  });
  return {
    persist() {
      file.record({ ...ledger.takeChanges(), idempotency: idempotency.takeChanges() });
      return file.commit(snapshot);
    },
    close: () => file.close(),
  };
}

function webhookConfig(options: PaymentSandboxOptions): WebhookConfig | undefined {
  if (!options.webhookUrl && !options.webhookSecret) return undefined;
  if (!options.webhookUrl || !options.webhookSecret) {
    throw new Error('payments sandbox: webhookUrl and webhookSecret must be given together');
  }
  return {
    url: options.webhookUrl,
    secret: options.webhookSecret,
    maxAttempts: options.webhookMaxAttempts ?? 6,
    backoffMs: options.webhookBackoffMs ?? 500,
    maxBackoffMs: options.webhookMaxBackoffMs ?? 30_000,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
  };
}

function installAuth(app: FastifyInstance, apiKey: string): void {
  const expected = Buffer.from(`Bearer ${apiKey}`);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/healthz') return;
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    reply.header('www-authenticate', 'Bearer realm="payments-sandbox"');
    return sendProblem(
      reply,
      problem(401, 'unauthorized', 'Send the API key as "Authorization: Bearer sk_test_...".'),
    );
  });
}

function latency(sleeper: Sleeper, options: PaymentSandboxOptions): () => Promise<void> {
  const fixed = options.latency?.fixedMs ?? 0;
  const jitter = options.latency?.jitterMs ?? 0;
  const random = options.random ?? Math.random;
  return () => sleeper.sleep(fixed + random() * jitter);
}

// Clients often POST capture or void with no body (with or without a content type); treat it as `{}`.
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && (request.body === undefined || request.body === null)) request.body = {};
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, {});
    return parseJson(request, text, done);
  });
}
