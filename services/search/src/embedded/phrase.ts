/** Phrase verification on candidates: positions are not stored, so matching fields are re-analysed. */
import { analyze } from '../analyzer.ts';
import type { SearchDocument } from '../types.ts';
import { fieldTexts } from './fields.ts';

export function containsSequence(haystack: string[], needle: string[]): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export function hasPhrases(doc: SearchDocument, phrases: string[][]): boolean {
  const fields = fieldTexts(doc).map(analyze);
  return phrases.every((p) => fields.some((f) => containsSequence(f, p)));
}
