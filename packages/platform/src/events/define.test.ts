import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../testing.ts';
import { InProcessEventBus } from './bus.ts';
import { defineEvent, subscribeTo } from './define.ts';
import { createEvent, type DomainEvent } from './event.ts';

const PriceChanged = defineEvent(
  'shop.price.*',
  Type.Object({ sku: Type.String(), amount: Type.Integer({ minimum: 1 }) }),
);

describe('defined events', () => {
  it('are built from their definition and recognised by type pattern and schema', () => {
    const event = PriceChanged.create('sku-1', { sku: 'sku-1', amount: 100 }, 'shop.price.lowered');
    expect(event).toMatchObject({ type: 'shop.price.lowered', subject: 'sku-1', data: { amount: 100 } });
    expect(PriceChanged.is(event)).toBe(true);
    expect(PriceChanged.is(createEvent('shop.stock.lowered', 'x', { sku: 'x', amount: 1 }))).toBe(false);
    expect(PriceChanged.is(createEvent('shop.price.lowered', 'x', { sku: 'x', amount: 0 }))).toBe(false);
    expect(PriceChanged.is(createEvent('shop.price.lowered', 'x', null))).toBe(false);
  });

  it('reach a subscriber typed, and skip data that does not fit, with a warning', async () => {
    const bus = new InProcessEventBus();
    const seen: DomainEvent<{ sku: string; amount: number }>[] = [];
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (o: unknown) => void warnings.push(o) };
    await subscribeTo(bus, 'prices', PriceChanged, async (e) => void seen.push(e), logger);
    await bus.publish(createEvent('shop.price.raised', 'a', { sku: 'a', amount: 'ten' }));
    await bus.publish(PriceChanged.create('b', { sku: 'b', amount: 5 }, 'shop.price.raised'));
    expect(seen.map((e) => e.data.sku)).toEqual(['b']);
    expect(warnings).toHaveLength(1);
    await bus.close();
  });
});
