/**
 * Code points that change how text looks without being visible, or reorder it: zero-width spaces and
 * joiners, bidi embeddings/overrides/isolates and marks, BOM, soft hyphen, word joiner, invisible math
 * operators, Hangul fillers, variation selectors and tag characters. An RTL override in a store name
 * can make "gnp.exe" read as "exe.png"; a zero-width space makes two equal-looking emails differ.
 */
const HIDDEN_RANGES: readonly [number, number][] = [
  [0x00ad, 0x00ad],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe007f],
  [0xe0100, 0xe01ef],
];

export function hasHiddenCharacters(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (HIDDEN_RANGES.some(([from, to]) => code >= from && code <= to)) return true;
  }
  return false;
}
