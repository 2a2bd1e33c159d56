import { describe, expect, it } from 'vitest';
import { shampooLog } from './fixtures.ts';
import { recommend } from './recommend.ts';
import { trainModel } from './train.ts';

describe('recommend', () => {
  const model = trainModel(shampooLog());

  it('never returns the user’s own items', () => {
    const history = ['towel', 'shampoo'];
    const items = recommend(model, { history, k: 10 }).map((r) => r.item);
    expect(items.length).toBeGreaterThan(0);
    for (const h of history) expect(items).not.toContain(h);
  });

  it('honours the exclude set and the filter, backing off to other items', () => {
    const out = recommend(model, {
      history: ['shampoo'],
      exclude: new Set(['conditioner']),
      filter: (item) => item !== 'towel',
      k: 10,
    }).map((r) => r.item);
    expect(out).not.toContain('conditioner');
    expect(out).not.toContain('towel');
    expect(out).toEqual(expect.arrayContaining(['lotion', 'soap', 'sponge']));
  });

  it('returns popular items for an unknown user history and at most k items', () => {
    const out = recommend(model, { history: ['never-seen'], k: 2 });
    expect(out.map((r) => r.item)).toEqual(['towel', 'lotion']);
  });

  it('returns scores in descending order', () => {
    const scores = recommend(model, { history: ['towel', 'shampoo'], k: 5 }).map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});
