// Small hand-built interaction logs for tests.
import type { Interactions } from './interactions.ts';
import { fromSequences } from './interactions.ts';

/** Everyone who takes `shampoo` next takes `conditioner`; `towel` is the most popular item overall. */
export function shampooLog(): Interactions {
  const rows: { user: string; items: string[] }[] = [];
  for (let i = 0; i < 6; i++) rows.push({ user: `a${i}`, items: ['towel', 'shampoo', 'conditioner'] });
  for (let i = 0; i < 4; i++) rows.push({ user: `b${i}`, items: ['soap', 'towel', 'sponge'] });
  for (let i = 0; i < 8; i++) rows.push({ user: `c${i}`, items: ['towel', 'lotion'] });
  rows.push({ user: 'new', items: ['lotion', 'shampoo'] });
  return fromSequences(rows);
}
