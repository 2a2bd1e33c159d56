/**
 * Type-ahead from precomputed completions (ADR 0206). Title words and adjacent word pairs are
 * counted per live document as shoppers write them ("batteries", not the stem "battery"). The last
 * word of the input is completed after the word before it (pairs: "cordless dr" → "cordless
 * drill"), or alone for the first word; when no title has that pair, the word is completed alone.
 * Cost is a binary search and a top-k over a range tree: independent of how many products match.
 */
import { rawTokens } from '../analyzer.ts';
import type { Suggestion } from '../types.ts';
import { Completions } from './completions.ts';

const MAX_INPUT = 200;

export class Suggester {
  readonly words = new Completions();
  readonly pairs = new Completions();

  /** Counts (delta +1) or uncounts (-1) one document's title. */
  index(title: string, delta: 1 | -1): void {
    const tokens = rawTokens(title);
    const seen = new Set<string>();
    for (let i = 0; i < tokens.length; i++) {
      const word = tokens[i] as string;
      if (!seen.has(word)) {
        seen.add(word);
        this.words.add(word, delta);
      }
      if (i === 0) continue;
      const pair = `${tokens[i - 1] as string} ${word}`;
      if (!seen.has(pair)) {
        seen.add(pair);
        this.pairs.add(pair, delta);
      }
    }
  }

  suggest(input: string, limit: number): Suggestion[] {
    const text = input.slice(0, MAX_INPUT);
    const words = rawTokens(text);
    if (words.length === 0 || limit <= 0) return [];
    // A trailing space means the last word is finished: suggest the next one.
    const ended = /\s$/.test(text);
    const prefix = ended ? '' : (words.at(-1) as string);
    const head = ended ? words : words.slice(0, -1);
    const before = head.at(-1);
    const lead = head.join(' ');
    const join = (w: string) => (lead ? `${lead} ${w}` : w);
    if (before !== undefined) {
      const pairs = this.pairs.complete(`${before} ${prefix}`, limit);
      const out = pairs.map((c) => ({ text: join(c.key.slice(before.length + 1)), count: c.count }));
      if (out.length > 0 || ended) return out;
    }
    return this.words.complete(prefix, limit).map((c) => ({ text: join(c.key), count: c.count }));
  }
}
