import type { DeclineCode } from './types.ts';

/**
 * Stripe-style test tokens. Each names the behaviour the sandbox simulates for an authorization.
 * - approve: authorized.
 * - decline: recorded as declined with the given code.
 * - timeout: recorded as authorized, but the HTTP answer is held past any sensible client timeout.
 * - flaky500: the first attempt per idempotency key answers 500 without acting; the next succeeds.
 */
export type TokenBehaviour =
  { kind: 'approve' } | { kind: 'decline'; code: DeclineCode } | { kind: 'timeout' } | { kind: 'flaky500' };

const TOKENS: ReadonlyMap<string, TokenBehaviour> = new Map<string, TokenBehaviour>([
  ['tok_visa', { kind: 'approve' }],
  ['tok_mastercard', { kind: 'approve' }],
  ['tok_chargeDeclined', { kind: 'decline', code: 'card_declined' }],
  ['tok_insufficientFunds', { kind: 'decline', code: 'insufficient_funds' }],
  ['tok_timeout', { kind: 'timeout' }],
  ['tok_flaky500', { kind: 'flaky500' }],
]);

export function tokenBehaviour(token: string): TokenBehaviour | undefined {
  return TOKENS.get(token);
}

export function knownTokens(): string[] {
  return [...TOKENS.keys()];
}
