import { Type } from 'typebox';
import { verifyWebhookSignature, SIGNATURE_HEADER } from './signature.ts';
import { validation, type HttpServer } from '@emporium/platform';
import type { Payments, WebhookSignal } from './payments.ts';

interface WebhookBody {
  id?: unknown;
  type?: unknown;
  data?: { authorization?: { id?: unknown } };
}

export interface WebhookOptions {
  secret: string;
  toleranceSeconds: number;
}

// Gateway ids are word characters; anything else could steer the read-back request to another path.
const AUTHORIZATION_ID = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * POST /webhooks/payments. The HMAC covers the raw bytes, so this route (alone, in its own scope) keeps
 * the body as a string until the signature is checked. A signed event is only a signal: of its body just
 * the event id, type and authorisation id are used, and the authorisation is read back from the gateway
 * (ADR 0707). A replay of an accepted event id is acknowledged and ignored: the gateway stops retrying and
 * nothing is applied twice (ADR 0701). An unreachable gateway answers 503, so the gateway retries.
 */
export function webhookRoutes(payments: Payments, options: WebhookOptions) {
  return async (app: HttpServer) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    app.post(
      '/webhooks/payments',
      {
        schema: {
          tags: ['payments'],
          summary: 'Signed payment-gateway events (header Emporium-Signature: t=…,v1=HMAC-SHA256)',
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }),
          },
        },
        config: { auth: 'public', rateLimit: false, problems: [400] },
      },
      async (request) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const header = request.headers[SIGNATURE_HEADER];
        checkSignature(raw, typeof header === 'string' ? header : undefined, options);
        const { duplicate } = await payments.receiveWebhook(signalOf(raw));
        return { received: true, duplicate };
      },
    );
  };
}

function checkSignature(raw: string, header: string | undefined, options: WebhookOptions): void {
  const check = verifyWebhookSignature(raw, header, options.secret, {
    toleranceSeconds: options.toleranceSeconds,
  });
  if (!check.ok)
    throw validation(`webhook signature refused: ${check.reason}`, [
      { field: SIGNATURE_HEADER, message: check.reason },
    ]);
}

function signalOf(raw: string): WebhookSignal {
  const event = parse(raw);
  const authorizationId = event.data?.authorization?.id;
  if (
    typeof event.id !== 'string' ||
    typeof event.type !== 'string' ||
    typeof authorizationId !== 'string' ||
    !AUTHORIZATION_ID.test(authorizationId)
  )
    throw validation('webhook body is not a payment event');
  return { eventId: event.id, type: event.type, authorizationId };
}

function parse(raw: string): WebhookBody {
  try {
    return JSON.parse(raw) as WebhookBody;
  } catch {
    throw validation('webhook body is not JSON');
  }
}
