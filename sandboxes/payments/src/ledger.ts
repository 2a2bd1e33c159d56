import { newId, unixSeconds } from './ids.ts';
import type { Authorization, DeclineCode, GatewayError, Refund, Result } from './types.ts';

export interface AuthorizeInput {
  amount: number;
  currency: string;
  token: string;
  reference: string;
  declineCode?: DeclineCode;
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(kind: GatewayError['kind'], code: string, detail: string): Result<T> => ({
  ok: false,
  error: { kind, code, detail },
});

/**
 * In-memory accounts of the sandbox. Every method checks and mutates without an `await` in between, so on
 * Node's single thread each transition is atomic: two concurrent captures or refunds cannot both pass the
 * limit check. Callers receive copies, never the stored objects.
 */
export class Ledger {
  private readonly authorizations = new Map<string, Authorization>();
  private readonly refunds = new Map<string, Refund>();
  /** Ids written since the last `takeChanges()`; undefined until the state file asks for them. */
  private changes: { authorizations: Set<string>; refunds: Set<string> } | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  /** From now on, remember which records change, for `takeChanges()`. */
  trackChanges(): void {
    this.changes ??= { authorizations: new Set(), refunds: new Set() };
  }

  /** Copies of the records written since the last call, as they stand now: the state file's next line. */
  takeChanges(): { authorizations: Authorization[]; refunds: Refund[] } {
    if (!this.changes) return { authorizations: [], refunds: [] };
    const { authorizations, refunds } = this.changes;
    this.changes = { authorizations: new Set(), refunds: new Set() };
    return {
      authorizations: structuredClone([...authorizations].map((id) => this.authorizations.get(id)!)),
      refunds: structuredClone([...refunds].map((id) => this.refunds.get(id)!)),
    };
  }

  /** Every method that writes a record calls this, or the change is lost at the next restart. */
  private changed(record: Authorization | Refund): void {
    if (record.object === 'authorization') this.changes?.authorizations.add(record.id);
    else this.changes?.refunds.add(record.id);
  }

  /** Copies of every record, for the state file. */
  snapshot(): { authorizations: Authorization[]; refunds: Refund[] } {
    return {
      authorizations: structuredClone([...this.authorizations.values()]),
      refunds: structuredClone([...this.refunds.values()]),
    };
  }

  /** Call once, before serving: what a previous run of the sandbox saved. */
  restore(state: { authorizations: Authorization[]; refunds: Refund[] }): void {
    for (const auth of state.authorizations) this.authorizations.set(auth.id, auth);
    for (const refund of state.refunds) this.refunds.set(refund.id, refund);
  }

  authorize(input: AuthorizeInput): Authorization {
    const now = this.clock();
    const auth: Authorization = {
      id: newId('auth', now),
      object: 'authorization',
      status: input.declineCode ? 'declined' : 'authorized',
      amount: input.amount,
      currency: input.currency.toUpperCase(),
      reference: input.reference,
      token: input.token,
      capturedAmount: 0,
      refundedAmount: 0,
      refunds: [],
      created: unixSeconds(now),
      ...(input.declineCode ? { declineCode: input.declineCode } : {}),
    };
    this.authorizations.set(auth.id, auth);
    this.changed(auth);
    return structuredClone(auth);
  }

  get(id: string): Result<Authorization> {
    const auth = this.authorizations.get(id);
    return auth ? ok(structuredClone(auth)) : notFound('authorization', id);
  }

  /** Lets a client that lost an answer (crash, timeout without a key) find what it created. */
  findByReference(reference: string): Authorization[] {
    return [...this.authorizations.values()]
      .filter((a) => a.reference === reference)
      .map((a) => structuredClone(a));
  }

  getRefund(id: string): Result<Refund> {
    const refund = this.refunds.get(id);
    return refund ? ok(structuredClone(refund)) : notFound('refund', id);
  }

  /** One capture per authorization, as with card networks; a partial capture releases the remainder. */
  capture(id: string, amount?: number): Result<Authorization> {
    const auth = this.authorizations.get(id);
    if (!auth) return notFound('authorization', id);
    if (auth.status !== 'authorized') {
      return fail(
        'conflict',
        'invalid_state',
        `Authorization ${id} is ${auth.status}; only authorized can be captured.`,
      );
    }
    const toCapture = amount ?? auth.amount;
    if (toCapture > auth.amount) {
      return fail(
        'conflict',
        'amount_too_large',
        `Capture of ${toCapture} exceeds the authorized amount ${auth.amount}.`,
      );
    }
    auth.status = 'captured';
    auth.capturedAmount = toCapture;
    auth.capturedAt = unixSeconds(this.clock());
    this.changed(auth);
    return ok(structuredClone(auth));
  }

  void(id: string): Result<Authorization> {
    const auth = this.authorizations.get(id);
    if (!auth) return notFound('authorization', id);
    if (auth.status !== 'authorized') {
      return fail(
        'conflict',
        'invalid_state',
        `Authorization ${id} is ${auth.status}; only authorized can be voided.`,
      );
    }
    auth.status = 'voided';
    auth.voidedAt = unixSeconds(this.clock());
    this.changed(auth);
    return ok(structuredClone(auth));
  }

  refund(authorizationId: string, amount: number): Result<{ refund: Refund; authorization: Authorization }> {
    const auth = this.authorizations.get(authorizationId);
    if (!auth) return notFound('authorization', authorizationId);
    if (auth.status !== 'captured') {
      return fail(
        'conflict',
        'invalid_state',
        `Authorization ${authorizationId} is ${auth.status}; only captured payments can be refunded.`,
      );
    }
    const refundable = auth.capturedAmount - auth.refundedAmount;
    if (amount > refundable) {
      return fail(
        'conflict',
        'amount_too_large',
        `Refund of ${amount} exceeds the refundable ${refundable}.`,
      );
    }
    const now = this.clock();
    const refund: Refund = {
      id: newId('re', now),
      object: 'refund',
      status: 'succeeded',
      authorizationId,
      amount,
      currency: auth.currency,
      created: unixSeconds(now),
    };
    this.refunds.set(refund.id, refund);
    auth.refundedAmount += amount;
    auth.refunds.push(refund.id);
    if (auth.refundedAmount === auth.capturedAmount) auth.status = 'refunded';
    this.changed(refund);
    this.changed(auth);
    return ok({ refund: structuredClone(refund), authorization: structuredClone(auth) });
  }
}

function notFound<T>(what: string, id: string): Result<T> {
  return fail('not_found', 'resource_missing', `No ${what} with id ${id}.`);
}
