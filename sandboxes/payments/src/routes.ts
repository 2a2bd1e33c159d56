import type { FastifyInstance, FastifyReply } from 'fastify';
import type { createExecutor, Outcome } from './execute.ts';
import type { Ledger } from './ledger.ts';
import { problemOf, sendProblem } from './problem.ts';
import { knownTokens, tokenBehaviour } from './tokens.ts';
import type { GatewayError, Result } from './types.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export interface RouteDeps {
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  execute: ReturnType<typeof createExecutor>;
  timeoutHangMs: number;
}

const amount = { type: 'integer', minimum: 1, maximum: 99_999_999 } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const referenceQuery = {
  type: 'object',
  required: ['reference'],
  properties: { reference: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

const authorizeBody = {
  type: 'object',
  required: ['amount', 'currency', 'token', 'reference'],
  additionalProperties: false,
  properties: {
    amount,
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
    token: { type: 'string', minLength: 1, maxLength: 255 },
    reference: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const;

const captureBody = { type: 'object', additionalProperties: false, properties: { amount } } as const;
const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const;
const refundBody = {
  type: 'object',
  required: ['authorizationId', 'amount'],
  additionalProperties: false,
  properties: { authorizationId: { type: 'string', minLength: 1, maxLength: 100 }, amount },
} as const;

interface AuthorizeBody {
  amount: number;
  currency: string;
  token: string;
  reference: string;
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ledger, webhooks, execute } = deps;
  // Which idempotency keys (or, without a key, references) already had their one simulated 500.
  const flakyFailed = new Set<string>();

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post<{ Body: AuthorizeBody }>(
    '/v1/authorizations',
    { schema: { body: authorizeBody } },
    (request, reply) =>
      execute(request, reply, ({ idempotencyKey }) => {
        const body = request.body;
        const behaviour = tokenBehaviour(body.token);
        if (!behaviour)
          return failure({ kind: 'validation', code: 'unknown_token', detail: unknownToken(body.token) });
        if (behaviour.kind === 'flaky500') {
          const flakyKey = idempotencyKey ?? `reference:${body.reference}`;
          if (!flakyFailed.has(flakyKey)) {
            flakyFailed.add(flakyKey);
            return failure({
              kind: 'server_error',
              code: 'simulated_failure',
              detail: 'Simulated gateway failure.',
            });
          }
        }
        const declineCode = behaviour.kind === 'decline' ? behaviour.code : undefined;
        const authorization = ledger.authorize({ ...body, ...(declineCode ? { declineCode } : {}) });
        webhooks.emit(declineCode ? 'payment.declined' : 'payment.authorized', { authorization });
        return {
          statusCode: 201,
          body: authorization,
          store: true,
          ...(behaviour.kind === 'timeout' ? { holdMs: deps.timeoutHangMs } : {}),
        };
      }),
  );

  app.post<{ Params: { id: string }; Body: { amount?: number } }>(
    '/v1/authorizations/:id/capture',
    { schema: { params: idParams, body: captureBody } },
    (request, reply) =>
      execute(request, reply, () =>
        settle(ledger.capture(request.params.id, request.body.amount), 200, (authorization) =>
          webhooks.emit('payment.captured', { authorization }),
        ),
      ),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/authorizations/:id/void',
    { schema: { params: idParams, body: emptyBody } },
    (request, reply) =>
      execute(request, reply, () =>
        settle(ledger.void(request.params.id), 200, (authorization) =>
          webhooks.emit('payment.voided', { authorization }),
        ),
      ),
  );

  app.post<{ Body: { authorizationId: string; amount: number } }>(
    '/v1/refunds',
    { schema: { body: refundBody } },
    (request, reply) =>
      execute(request, reply, () => {
        const result = ledger.refund(request.body.authorizationId, request.body.amount);
        if (!result.ok) return failure(result.error);
        webhooks.emit('payment.refunded', result.value);
        return { statusCode: 201, body: result.value.refund, store: true };
      }),
  );

  app.get<{ Querystring: { reference: string } }>(
    '/v1/authorizations',
    { schema: { querystring: referenceQuery } },
    async (request) => ({ items: ledger.findByReference(request.query.reference) }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/authorizations/:id',
    { schema: { params: idParams } },
    (request, reply) => sendResult(reply, ledger.get(request.params.id)),
  );

  app.get<{ Params: { id: string } }>('/v1/refunds/:id', { schema: { params: idParams } }, (request, reply) =>
    sendResult(reply, ledger.getRefund(request.params.id)),
  );

  // The webhook delivery log, as a gateway dashboard shows it: useful when a receiver rejects events.
  app.get('/v1/events', async () => ({ items: webhooks.list() }));
}

function settle<T>(result: Result<T>, statusCode: number, onSuccess: (value: T) => void): Outcome {
  if (!result.ok) return failure(result.error);
  onSuccess(result.value);
  return { statusCode, body: result.value, store: true };
}

// Refusals that depend on the account's state (404, 409) are stored like successes: a retry must see the
// same answer. Malformed requests and server failures are not: nothing happened, so a retry may act.
function failure(error: GatewayError): Outcome {
  const body = problemOf(error);
  return { statusCode: body.status, body, store: error.kind === 'not_found' || error.kind === 'conflict' };
}

function sendResult<T>(reply: FastifyReply, result: Result<T>): FastifyReply {
  return result.ok ? reply.send(result.value) : sendProblem(reply, problemOf(result.error));
}

function unknownToken(token: string): string {
  return `Unknown test token ${JSON.stringify(token)}; use one of ${knownTokens().join(', ')}.`;
}
