import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseSynonyms } from './synonyms.ts';

describe('synonyms', () => {
  it('reads equivalence lines both ways and one-way rules one way', () => {
    const map = parseSynonyms('# comment\ncouch, sofa\nfridge => refrigerator\n');
    expect(map.get('couch')).toEqual([['sofa']]);
    expect(map.get('sofa')).toEqual([['couch']]);
    expect(map.get('fridg')).toBeDefined();
    expect(map.get('refrigerator')).toBeUndefined();
  });

  it('analyses entries like documents, so multi-word entries and plurals line up', () => {
    const map = parseSynonyms('lightbulbs, light bulbs');
    expect(map.get('lightbulb')).toEqual([['light', 'bulb']]);
  });

  it('parses the shipped file', async () => {
    const text = await readFile(new URL('../synonyms.txt', import.meta.url), 'utf8');
    expect(parseSynonyms(text).size).toBeGreaterThan(20);
  });
});
