import { describe, expect, it } from 'vitest';
import { fromSequences } from './interactions.ts';
import { parseItemAttributes } from './attributes.ts';
import { deserialise, serialise } from './artifact.ts';
import { recommend } from './recommend.ts';
import { trainMixture } from './mixture.ts';
import { trainReranked } from './reranked.ts';

/**
 * Everyone goes through `hub`; after it, red shoppers take `red-next` and blue shoppers `blue-next`. Each shopper's
 * first item is their own (so transitions and similar sequences cannot tell the colours apart), and reds are the
 * majority: only the items' colour attribute says that a blue shopper wants `blue-next`. Every other shopper buys
 * one more item of their own, so the log without each last item still shows what follows the hub.
 */
function colourLog() {
  const rows: { user: string; items: string[] }[] = [];
  const colours: Record<string, string[]> = { hub: ['hub'], 'red-next': ['red'], 'blue-next': ['blue'] };
  for (let i = 0; i < 120; i++) {
    const colour = i % 5 < 3 ? 'red' : 'blue';
    const items = [`${colour}-${i}`, 'hub', `${colour}-next`];
    if (i % 2 === 1) items.push(`other-${i}`);
    rows.push({ user: `u${i}`, items });
    colours[`${colour}-${i}`] = [colour];
  }
  const log = fromSequences(rows);
  return { log, attributes: parseItemAttributes(JSON.stringify(colours), log.itemIds) };
}

describe('re-ranked model', () => {
  const { log, attributes } = colourLog();
  const model = trainReranked(log, { gbdt: { trees: 30, depth: 3 } }, attributes);
  const first = (m: typeof model, history: string[]) => recommend(m, { history, k: 2 })[0]?.item;

  it('follows the majority where the first stage alone cannot see the colour', () => {
    expect(first(trainMixture(log), ['blue-3', 'hub'])).toBe('red-next');
  });

  it('learns from the hold-out that the colour decides what follows the hub', () => {
    expect(first(model, ['blue-3', 'hub'])).toBe('blue-next');
    expect(first(model, ['red-0', 'hub'])).toBe('red-next');
  });

  it('round-trips through the artifact format with identical recommendations', () => {
    const copy = deserialise(serialise(model));
    for (const history of [['blue-3', 'hub'], ['red-0', 'hub'], ['hub'], []]) {
      expect(recommend(copy, { history, k: 5 })).toEqual(recommend(model, { history, k: 5 }));
    }
  });

  it('keeps first-stage order below the re-scored candidates when k exceeds them', () => {
    const small = trainReranked(log, { candidates: 3, gbdt: { trees: 5, depth: 2 } }, attributes);
    const out = recommend(small, { history: ['blue-3', 'hub'], k: 10 });
    expect(out).toHaveLength(10);
    expect(new Set(out.map((r) => r.item)).size).toBe(10);
    const scores = out.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});
