/**
 * A customer and a seller using a running store over its public HTTP API, as a person with the README
 * would: what the end-to-end suites share. Every call goes through the URL given (the gateway).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface OrderView {
  id: string;
  status: string;
  history: { status: string; note?: string }[];
}

const address = {
  name: 'Ada Lovelace',
  line1: '1 Analytical St',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

export class Shopper {
  private readonly run = randomBytes(4).toString('hex');

  constructor(readonly baseUrl: string) {}

  async call(path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async register(role: 'seller' | 'customer'): Promise<string> {
    const answer = await this.call('/auth/register', {
      method: 'POST',
      body: {
        email: `${role}-${this.run}@example.com`,
        password: `Tr0ub4dor&3-${this.run}`,
        name: `Test ${role}`,
        role,
        ...(role === 'seller' ? { storeName: `Store ${this.run}` } : {}),
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return String(answer.body.accessToken);
  }

  /** A product with one SKU in stock; returns the SKU. */
  async listProduct(seller: string, onHand: number, amount = 2599): Promise<string> {
    return (await this.listProductWithId(seller, onHand, amount)).sku;
  }

  async listProductWithId(
    seller: string,
    onHand: number,
    amount = 2599,
  ): Promise<{ sku: string; productId: string }> {
    const sku = `SKU-${this.run}`.toUpperCase();
    const created = await this.call('/seller/products', {
      method: 'POST',
      token: seller,
      body: {
        title: `Lamp ${this.run}`,
        description: 'A lamp bought in an end-to-end test',
        brand: 'Lumen',
        category: 'Home/Lighting',
        attributes: {},
        status: 'active',
        variants: [{ sku, price: { amount, currency: 'USD' }, attributes: {} }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stocked = await this.call(`/seller/inventory/${sku}`, {
      method: 'PUT',
      token: seller,
      body: { onHand },
    });
    expect(stocked.status, JSON.stringify(stocked.body)).toBe(200);
    return { sku, productId: String(created.body.id) };
  }

  /** Fills the cart and checks out; a checkout that answers before the payment completed is followed. */
  async buy(customer: string, sku: string, paymentToken = 'tok_visa'): Promise<OrderView> {
    const added = await this.call('/cart/items', {
      method: 'POST',
      token: customer,
      body: { sku, quantity: 1 },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const checkout = await this.call('/orders', {
      method: 'POST',
      token: customer,
      body: { shippingAddress: address, paymentToken },
    });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    return this.settled(customer, String(checkout.body.id));
  }

  /** What the README tells a customer to do after `pending_payment`: read the order until it settles. */
  async settled(customer: string, orderId: string): Promise<OrderView> {
    let order: OrderView | undefined;
    await expect
      .poll(
        async () => {
          const answer = await this.call(`/orders/${orderId}`, { token: customer });
          order = answer.body as unknown as OrderView;
          return order.status;
        },
        { timeout: 20_000, interval: 250 },
      )
      .not.toBe('pending_payment');
    return order!;
  }

  async cancel(customer: string, orderId: string): Promise<Answer> {
    return this.call(`/orders/${orderId}/cancel`, { method: 'POST', token: customer });
  }

  async stock(seller: string, sku: string): Promise<unknown> {
    const answer = await this.call(`/seller/inventory?skus=${sku}`, { token: seller });
    return (answer.body.items as unknown[])[0];
  }
}
