import { describe, expect, it } from 'vitest';
import { buildContentIndex, contentNeighbours } from './content.ts';

describe('content neighbours for a new item', () => {
  const index = buildContentIndex([
    { id: 'p1', category: 'Beauty/Hair/Shampoo', brand: 'Acme', title: 'Acme argan oil shampoo' },
    { id: 'p2', category: 'Beauty/Hair/Conditioner', brand: 'Acme', title: 'Acme argan oil conditioner' },
    { id: 'p3', category: 'Toys/Puzzles', brand: 'Blocko', title: 'Wooden puzzle 100 pieces' },
    { id: 'p4', category: 'Beauty/Skin/Lotion', brand: 'Other', title: 'Body lotion' },
  ]);

  it('ranks same brand and category above unrelated items', () => {
    const out = contentNeighbours(
      index,
      { id: 'new', category: 'Beauty/Hair/Shampoo', brand: 'Acme', title: 'Acme argan shampoo travel size' },
      3,
    );
    expect(out.map((r) => r.item).slice(0, 2)).toEqual(['p1', 'p2']);
    expect(out.map((r) => r.item)).not.toContain('p3');
  });

  it('never returns the item itself', () => {
    const out = contentNeighbours(
      index,
      { id: 'p1', category: 'Beauty/Hair/Shampoo', brand: 'Acme', title: 'Acme argan oil shampoo' },
      5,
    );
    expect(out.map((r) => r.item)).not.toContain('p1');
  });
});
