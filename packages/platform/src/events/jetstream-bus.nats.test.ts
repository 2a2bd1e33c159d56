// Runs only when NATS_URL is set (see vitest.config.ts): JetStream cannot be embedded.
import { describe, expect, it } from 'vitest';
import { testBus } from '../testing.ts';
import { createEvent, type DomainEvent } from './event.ts';

describe('JetStream bus', () => {
  it('redelivers a message to a consumer that crashed before acking', async () => {
    const bus = await testBus({ ackWaitMs: 1_000 });
    try {
      const event = createEvent('orders.order.paid', 'order-1', { total: 4200 });
      const seenByCrashed: DomainEvent[] = [];
      // The first consumer process takes the message and dies without acking (never resolves).
      const crashed = await bus.subscribe('fulfilment', ['orders.>'], async (e) => {
        seenByCrashed.push(e);
        await new Promise(() => undefined);
      });
      await bus.publish(event);
      await expect.poll(() => seenByCrashed.length, { timeout: 5_000 }).toBe(1);
      void crashed.stop();

      const redelivered: DomainEvent[] = [];
      const restarted = await bus.subscribe('fulfilment', ['orders.>'], async (e) => {
        redelivered.push(e);
      });
      await expect.poll(() => redelivered.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      expect(redelivered[0]?.id).toBe(event.id);
      await restarted.stop();
    } finally {
      await bus.close();
    }
  });
});
