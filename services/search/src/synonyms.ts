/**
 * Synonyms from an editable text file (Solr's format, a shop can edit it without code):
 *   couch, sofa, settee        equivalent: each expands to the others
 *   fridge => refrigerator     one-way: the left side expands to the right side
 *   # comment
 * Entries are analysed with the same analyzer as documents, so `lightbulb, light bulb` works.
 */
import { readFile } from 'node:fs/promises';
import { analyze } from './analyzer.ts';

/** Analysed left-hand side (terms joined by spaces) → analysed alternatives. */
export type SynonymMap = Map<string, string[][]>;

function addRule(map: SynonymMap, from: string[], to: string[]): void {
  if (from.length === 0 || to.length === 0) return;
  const key = from.join(' ');
  if (key === to.join(' ')) return;
  const list = map.get(key) ?? [];
  if (!list.some((t) => t.join(' ') === to.join(' '))) list.push(to);
  map.set(key, list);
}

export function parseSynonyms(text: string): SynonymMap {
  const map: SynonymMap = new Map();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (!line) continue;
    const arrow = line.indexOf('=>');
    if (arrow >= 0) {
      const lhs = line.slice(0, arrow).split(',').map(analyze);
      const rhs = line
        .slice(arrow + 2)
        .split(',')
        .map(analyze);
      for (const l of lhs) for (const r of rhs) addRule(map, l, r);
      continue;
    }
    const group = line.split(',').map(analyze);
    for (const a of group) for (const b of group) if (a !== b) addRule(map, a, b);
  }
  return map;
}

export async function loadSynonyms(file: string): Promise<SynonymMap> {
  return parseSynonyms(await readFile(file, 'utf8'));
}

/** Longest phrase on a left-hand side, so the expander knows how far to look ahead. */
export function longestRule(map: SynonymMap): number {
  let n = 1;
  for (const key of map.keys()) n = Math.max(n, key.split(' ').length);
  return n;
}
