import { describe, expect, it } from 'vitest';
import { fromSequences } from './interactions.ts';
import { shampooLog } from './fixtures.ts';
import { recommend } from './recommend.ts';
import { MODEL_KINDS, trainModel } from './train.ts';
import { trainCooccurrence } from './baselines.ts';

describe('training on a log with an obvious next item', () => {
  for (const kind of MODEL_KINDS.filter((k) => k !== 'popularity')) {
    it(`${kind} recommends conditioner after shampoo`, () => {
      const model = trainModel(shampooLog(), kind);
      const [first] = recommend(model, { history: ['lotion', 'shampoo'], k: 3 });
      expect(first?.item).toBe('conditioner');
    });
  }

  it('popularity ranks the most frequent item first', () => {
    const model = trainModel(shampooLog(), 'popularity');
    expect(recommend(model, { history: [], k: 1 })[0]?.item).toBe('towel');
  });

  it('scores the co-occurrence baseline from the last three items with weights 1, 0.5, 0.25', () => {
    // x follows a once, y follows b once, z follows c once; history ends ... c, b, a (a most recent)
    const log = fromSequences([
      { user: 'u1', items: ['a', 'x'] },
      { user: 'u2', items: ['b', 'y'] },
      { user: 'u3', items: ['c', 'z'] },
      { user: 'u4', items: ['d', 'w', 'w2'] },
    ]);
    const out = recommend(trainCooccurrence(log), { history: ['d', 'c', 'b', 'a'], k: 4 });
    expect(out.slice(0, 3)).toEqual([
      { item: 'x', score: 1 },
      { item: 'y', score: 0.5 },
      { item: 'z', score: 0.25 },
    ]);
    // d is the fourth most recent item: its successor w gets no transition credit, only popularity back-off
    expect(out[3]?.score).toBe(0);
  });
});
