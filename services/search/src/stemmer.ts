/**
 * A light English stemmer in the spirit of Lucene's minimal/KStem stemmers: plurals and the
 * -ing/-ed inflections only. Porter-style suffix stripping (heater → heat, lighting → light)
 * conflates product types that shoppers keep apart, so we stop at inflections (ADR 0201).
 */
const VOWEL = /[aeiouy]/;

function hasVowel(s: string): boolean {
  return VOWEL.test(s);
}

function undouble(s: string): string {
  const n = s.length;
  if (n >= 3 && s[n - 1] === s[n - 2] && !'lsz'.includes(s[n - 1] ?? '')) return s.slice(0, -1);
  return s;
}

function stripPlural(w: string): string {
  const n = w.length;
  if (n <= 3 || w[n - 1] !== 's') return w;
  if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is')) return w;
  if (w.endsWith('ies') && n > 4) return w.slice(0, -3) + 'y';
  if (/(?:ch|sh|x|z|sses)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('oes') && n > 5) return w.slice(0, -2);
  return w.slice(0, -1);
}

function stripInflection(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) {
    const stem = w.slice(0, -3);
    if (hasVowel(stem)) return undouble(stem);
  }
  if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) {
    const stem = w.slice(0, -2);
    if (stem.length >= 3 && hasVowel(stem))
      return stem.endsWith('i') ? stem.slice(0, -1) + 'y' : undouble(stem);
  }
  return w;
}

/** A silent final e is dropped so that wire, wired, wiring and wires meet at `wir`. */
function stripFinalE(w: string): string {
  return w.length > 3 && w.endsWith('e') && !w.endsWith('ee') ? w.slice(0, -1) : w;
}

export function stem(word: string): string {
  if (word.length <= 3) return word;
  return stripFinalE(stripInflection(stripPlural(word)));
}
