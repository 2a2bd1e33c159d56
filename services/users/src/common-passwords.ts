import { readFileSync } from 'node:fs';

/** The curated list (common-passwords.txt) plus the rules that make it cover far more than its lines. */
const LISTED: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== '' && !line.startsWith('#')),
);

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qwertzuiop'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

const unleet = (s: string) => s.replace(/[013457@$]/g, (c) => LEET[c] ?? c);

/** The word under decorations attackers' rules add: "Password123!" → "password", "!!monkey2024" → "monkey". */
function cores(lower: string): string[] {
  const stripped = lower.replace(/^[^a-z]{1,4}/, '').replace(/[^a-z]{1,6}$/, '');
  return [...new Set([lower, unleet(lower), stripped, unleet(stripped)])].filter((c) => c.length > 0);
}

/** "aaaaaaaa", "abcabcabc", "12121212": one short unit repeated. */
function isRepetition(s: string): boolean {
  return /^(.{1,3})\1+$/.test(s);
}

/** "12345678", "abcdefgh", "qwertyui", "87654321" and their reversals. */
function isSequence(s: string): boolean {
  const sources = [...KEYBOARD_ROWS, ALPHABET];
  const reversed = [...s].reverse().join('');
  return sources.some((src) => src.includes(s) || src.includes(reversed));
}

export function isCommonPassword(password: string, context: { email?: string; name?: string } = {}): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  if (isRepetition(lower) || isSequence(lower)) return true;
  const personal = [
    context.email?.split('@')[0]?.toLowerCase(),
    context.email?.toLowerCase(),
    ...(context.name?.toLowerCase().split(/\s+/) ?? []),
  ].filter((p): p is string => p !== undefined && p.length >= 3);
  return cores(lower).some(
    (core) =>
      LISTED.has(core) ||
      personal.includes(core) ||
      // A short core ("q" of "q83920174") says nothing; a long one that is a walk or a repeat does.
      (core.length >= 4 && (isRepetition(core) || isSequence(core))),
  );
}
