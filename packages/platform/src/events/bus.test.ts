import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from './bus.ts';
import { createEvent } from './event.ts';

describe('in-process bus', () => {
  it('fails the publish when a consumer fails, so the relay retries it', async () => {
    const local = new InProcessEventBus();
    let attempts = 0;
    await local.subscribe('flaky', ['catalog.>'], async () => {
      attempts++;
      if (attempts === 1) throw new Error('transient');
    });
    const event = createEvent('catalog.product.updated', 'p1', {});
    await expect(local.publish(event)).rejects.toThrow('transient');
    await local.publish(event);
    expect(attempts).toBe(2);
  });
});
