import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OrdersStore } from './store.ts';

/**
 * Capability links for guest orders (ADR 0740): the token is the order id and an HMAC of it under a key
 * made once per database, so a retry of the checkout gets the same link, every process can check one,
 * and nobody reaches an order by guessing ids.
 */
export class GuestAccess {
  private constructor(private readonly key: Buffer) {}

  static async open(store: OrdersStore): Promise<GuestAccess> {
    const secret = await store.secret('guest-order-links', () => randomBytes(32).toString('base64url'));
    return new GuestAccess(Buffer.from(secret, 'base64url'));
  }

  tokenFor(orderId: string): string {
    return `${orderId}.${this.mac(orderId)}`;
  }

  /** The order a token opens, or undefined for anything that is not one of our tokens. */
  orderIdOf(token: string): string | undefined {
    const at = token.lastIndexOf('.');
    if (at <= 0) return undefined;
    const orderId = token.slice(0, at);
    const given = Buffer.from(token.slice(at + 1), 'base64url');
    const expected = Buffer.from(this.mac(orderId), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? orderId : undefined;
  }

  private mac(orderId: string): string {
    return createHmac('sha256', this.key).update(`guest-order:${orderId}`).digest('base64url');
  }
}
