import { Type } from 'typebox';
import { verifyWebhookSignature, SIGNATURE_HEADER } from './signature.ts';
import { validation, type HttpServer } from '@emporium/platform';
import type { GatewayAuthorization } from './gateway.ts';
import type { Payments } from './payments.ts';

interface WebhookBody {
  id?: unknown;
  type?: unknown;
  data?: { authorization?: GatewayAuthorization };
}

export interface WebhookOptions {
  secret: string;
  toleranceSeconds: number;
}

/**
 * POST /webhooks/payments. The HMAC covers the raw bytes, so this route (alone, in its own scope) keeps
 * the body as a string until the signature is checked. A replay of an accepted event id is acknowledged
 * and ignored: the gateway stops retrying and nothing is applied twice (ADR 0701).
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
        config: { auth: 'public', rateLimit: false },
      },
      async (request) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const header = request.headers[SIGNATURE_HEADER];
        const check = verifyWebhookSignature(
          raw,
          typeof header === 'string' ? header : undefined,
          options.secret,
          {
            toleranceSeconds: options.toleranceSeconds,
          },
        );
        if (!check.ok)
          throw validation(`webhook signature refused: ${check.reason}`, [
            { field: SIGNATURE_HEADER, message: check.reason },
          ]);
        const event = parse(raw);
        const auth = event.data?.authorization;
        if (typeof event.id !== 'string' || typeof event.type !== 'string' || !auth?.id)
          throw validation('webhook body is not a payment event');
        const fresh = await payments.store.acceptWebhook(event.id, event.type, auth.id);
        if (!fresh) return { received: true, duplicate: true };
        const intent = await payments.store.byAuthorization(auth.id, auth.reference);
        if (intent) await payments.apply(intent, auth);
        return { received: true, duplicate: false };
      },
    );
  };
}

function parse(raw: string): WebhookBody {
  try {
    return JSON.parse(raw) as WebhookBody;
  } catch {
    throw validation('webhook body is not JSON');
  }
}
