import type { Logger } from 'pino';
import { AppError, conflict, notFound, validation, type OutboxRelay } from '@emporium/platform';
import { GatewayStateError, type GatewayAuthorization, type PaymentGateway } from './gateway.ts';
import type { IntentChange, PaymentsStore } from './store.ts';
import type { AuthorizeRequest, IntentStatus, PaymentIntent, PaymentsApi } from './types.ts';

const declined = (intent: PaymentIntent) =>
  new AppError('PaymentDeclined', `The card was declined (${intent.declineCode ?? 'declined'})`, {
    declineCode: intent.declineCode,
    orderId: intent.orderId,
  });

/** What a signed webhook names; nothing else in its body is believed (ADR 0707). */
export interface WebhookSignal {
  eventId: string;
  type: string;
  authorizationId: string;
}

/** Why the gateway's authorisation is not this intent's to apply, or undefined when it is. */
function mismatch(intent: PaymentIntent, auth: GatewayAuthorization): string | undefined {
  // The gateway stores currencies upper case; an intent's may have been given in either case.
  const sameMoney =
    auth.amount === intent.amount.amount &&
    auth.currency.toUpperCase() === intent.amount.currency.toUpperCase();
  if (!sameMoney) return 'its amount or currency differs from the payment';
  if (intent.authorizationId !== undefined && intent.authorizationId !== auth.id)
    return 'the payment holds another authorisation';
  return undefined;
}

/** What a gateway authorization state means for our intent, and from which states it may move there. */
export function changeFor(auth: GatewayAuthorization): { from: IntentStatus[]; change: IntentChange } {
  const base = { authorization_id: auth.id };
  switch (auth.status) {
    case 'authorized':
      return { from: ['pending'], change: { ...base, status: 'authorized' } };
    case 'declined':
      return {
        from: ['pending'],
        change: { ...base, status: 'declined', decline_code: auth.declineCode ?? 'declined' },
      };
    case 'captured':
      return {
        from: ['pending', 'authorized'],
        change: { ...base, status: 'captured', captured_amount: auth.capturedAmount },
      };
    case 'voided':
      return { from: ['pending', 'authorized'], change: { ...base, status: 'voided' } };
    case 'refunded':
      return {
        from: ['pending', 'authorized', 'captured'],
        change: {
          ...base,
          status: 'refunded',
          captured_amount: auth.capturedAmount,
          refunded_amount: auth.refundedAmount,
        },
      };
  }
}

/** The internal route's schema says the same; in-process callers skip the route, not the rule. */
function checkAmount(amount: number) {
  if (!Number.isInteger(amount) || amount < 1)
    throw validation('A payment must be a whole number of minor units from 1', [
      { field: 'amount.amount', message: 'must be an integer of at least 1' },
    ]);
}

export class Payments implements PaymentsApi {
  constructor(
    readonly store: PaymentsStore,
    private readonly gateway: PaymentGateway,
    private readonly relay: Pick<OutboxRelay, 'notify'>,
    private readonly logger: Logger,
  ) {}

  async getIntent(orderId: string): Promise<PaymentIntent | undefined> {
    return this.store.byOrder(orderId);
  }

  async authorize(request: AuthorizeRequest): Promise<PaymentIntent> {
    checkAmount(request.amount.amount);
    const { intent, token } = await this.store.ensureIntent(request);
    if (intent.amount.amount !== request.amount.amount || intent.amount.currency !== request.amount.currency)
      throw conflict(`order ${request.orderId} already has a payment of another amount`);
    if (intent.status === 'authorized' || intent.status === 'captured') return intent;
    if (intent.status === 'declined') throw declined(intent);
    if (intent.status !== 'pending')
      throw conflict(`the payment of order ${request.orderId} is ${intent.status}`);
    // The first token sticks: the idempotency key is bound to the request body at the gateway.
    const key = `${intent.id}:authorize`;
    const auth = await this.call(intent, 'authorize', key, () =>
      this.gateway.authorize({ amount: intent.amount, token, reference: intent.orderId }, key),
    );
    const after = await this.apply(intent, auth, { operation: 'authorize', key });
    if (after.status === 'declined') throw declined(after);
    return after;
  }

  async capture(orderId: string): Promise<PaymentIntent> {
    const intent = await this.require(orderId);
    if (intent.status === 'captured' || intent.status === 'refunded') return intent;
    if (intent.status !== 'authorized' || !intent.authorizationId)
      throw conflict(`the payment of order ${orderId} is ${intent.status}, not authorized`);
    const authId = intent.authorizationId;
    const key = `${intent.id}:capture`;
    const auth = await this.call(intent, 'capture', key, () =>
      this.gateway.capture(authId, key).catch(async (error: unknown) => {
        if (error instanceof GatewayStateError) return this.gateway.get(authId);
        throw error;
      }),
    );
    const after = await this.apply(intent, auth, { operation: 'capture', key });
    if (after.status !== 'captured') throw conflict(`the payment of order ${orderId} could not be captured`);
    return after;
  }

  async cancel(orderId: string): Promise<PaymentIntent | undefined> {
    const intent = await this.store.byOrder(orderId);
    if (!intent) return undefined;
    if (intent.status === 'authorized' && intent.authorizationId) {
      const authId = intent.authorizationId;
      const key = `${intent.id}:void`;
      const auth = await this.call(intent, 'void', key, () => this.gateway.void(authId, key));
      return this.apply(intent, auth, { operation: 'void', key });
    }
    if (intent.status === 'pending') return this.voidLostAuthorizations(intent);
    return intent;
  }

  async refund(orderId: string): Promise<PaymentIntent> {
    const intent = await this.require(orderId);
    if (intent.status === 'refunded') return intent;
    if (intent.status !== 'captured' || !intent.authorizationId)
      throw conflict(
        `the payment of order ${orderId} is ${intent.status}; only a captured payment is refunded`,
      );
    const authId = intent.authorizationId;
    const remaining = intent.capturedAmount - intent.refundedAmount;
    const key = `${intent.id}:refund`;
    const auth = await this.call(intent, 'refund', key, async () => {
      await this.gateway.refund(authId, remaining, key);
      return this.gateway.get(authId);
    });
    return this.apply(intent, auth, { operation: 'refund', key });
  }

  /**
   * A signed webhook only says that an authorisation changed. What changed is read from the gateway and
   * applied to the payment of the gateway's own reference when it fits. The read comes before the event
   * is accepted: if the gateway cannot be reached (Unavailable, 503) the gateway's retry is processed.
   */
  async receiveWebhook(signal: WebhookSignal): Promise<{ duplicate: boolean }> {
    const auth = await this.gatewayStateOf(signal.authorizationId);
    if (!(await this.store.acceptWebhook(signal.eventId, signal.type, signal.authorizationId)))
      return { duplicate: true };
    if (auth) await this.reconcile(signal, auth);
    else this.ignoreWebhook(signal, 'the gateway does not know its authorisation');
    return { duplicate: false };
  }

  private async gatewayStateOf(authorizationId: string): Promise<GatewayAuthorization | undefined> {
    try {
      return await this.gateway.get(authorizationId);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  private async reconcile(signal: WebhookSignal, auth: GatewayAuthorization): Promise<void> {
    const intent = await this.store.byOrder(auth.reference);
    if (!intent) return this.ignoreWebhook(signal, 'no payment has its reference', auth);
    const reason = mismatch(intent, auth);
    if (reason) return this.ignoreWebhook(signal, reason, auth);
    await this.apply(intent, auth);
  }

  /** Acknowledged all the same: a retry would be ignored again. Logged, as it may be an attack. */
  private ignoreWebhook(signal: WebhookSignal, reason: string, auth?: GatewayAuthorization): void {
    this.logger.warn({ ...signal, orderId: auth?.reference, reason }, 'payment webhook not applied');
  }

  /** An authorise whose answer was lost may have succeeded: find it by reference and void it. */
  private async voidLostAuthorizations(intent: PaymentIntent): Promise<PaymentIntent | undefined> {
    const found = await this.gateway.findByReference(intent.orderId);
    let latest: PaymentIntent | undefined = intent;
    for (const auth of found) {
      const key = `${intent.id}:void:${auth.id}`;
      latest =
        auth.status === 'authorized'
          ? await this.apply(
              intent,
              await this.call(intent, 'void', key, () => this.gateway.void(auth.id, key)),
              { operation: 'void', key },
            )
          : await this.apply(intent, auth);
    }
    if (latest?.status === 'pending')
      latest = (await this.store.transition(intent.id, ['pending'], { status: 'failed' })) ?? latest;
    return latest;
  }

  /**
   * Applies a gateway answer to the intent, forward only; returns the intent as it now stands. `attempt`
   * is the successful call that brought the answer (absent for a webhook), recorded with the change.
   */
  private async apply(
    intent: PaymentIntent,
    auth: GatewayAuthorization,
    attempt?: { operation: string; key: string },
  ): Promise<PaymentIntent> {
    const { from, change } = changeFor(auth);
    // States only move forward, so an intent read past `from` is past it in the database too: a webhook
    // confirming what the saga already applied costs no write.
    if (!attempt && !from.includes(intent.status)) return intent;
    const moved = await this.store.transition(intent.id, from, change, attempt);
    if (moved) this.relay.notify();
    return moved ?? (await this.require(intent.orderId));
  }

  private async call<T>(
    intent: PaymentIntent,
    operation: string,
    key: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await this.store.recordAttempt(intent.id, operation, key, 'error', (error as Error).message);
      this.logger.warn({ err: error, orderId: intent.orderId, operation }, 'payment gateway call failed');
      throw error;
    }
  }

  private async require(orderId: string): Promise<PaymentIntent> {
    const intent = await this.store.byOrder(orderId);
    if (!intent) throw notFound(`payment of order ${orderId}`);
    return intent;
  }
}
