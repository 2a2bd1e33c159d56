import { domainToASCII } from 'node:url';
import { hasHiddenCharacters } from './hidden-characters.ts';

/**
 * Email normalisation (ADR 0502). The result has two forms: `address`, kept for display and mail (local
 * part as typed, domain lower-cased and in its ASCII/punycode form), and `key`, the whole address
 * lower-cased, which is what uniqueness is decided on.
 */
export interface NormalisedEmail {
  address: string;
  key: string;
}

export type EmailProblem = { ok: false; reason: string };

const CONTROL = /\p{Cc}|\p{Cf}|\p{Co}|\p{Cn}|\p{Zl}|\p{Zp}/u;
// RFC 5322 dot-atom, ASCII only: an internationalised local part (RFC 6531) is refused, see ADR 0502.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// Scripts we can tell apart; a label mixing two of them (other than the CJK combinations that real names
// use) is the classic homograph: "pаypal" with a Cyrillic "а".
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Tamil',
  'Thai',
  'Georgian',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Han',
  'Ethiopic',
] as const;
const scriptPatterns = SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, 'u')] as const);
// Real names mix Latin with CJK scripts (Japanese, Korean); any other mixture is refused.
const ALLOWED_MIXES = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptsOf(label: string): Set<string> | undefined {
  const found = new Set<string>();
  for (const char of label) {
    if (/[0-9-]/.test(char)) continue;
    const match = scriptPatterns.find(([, pattern]) => pattern.test(char));
    if (!match) return undefined;
    found.add(match[0]);
  }
  return found;
}

function mixesScripts(label: string): boolean {
  const scripts = scriptsOf(label);
  if (!scripts) return true;
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)));
}

const fail = (reason: string): EmailProblem => ({ ok: false, reason });

function normaliseDomain(raw: string): { ok: true; domain: string } | EmailProblem {
  const unicode = raw.toLowerCase();
  for (const label of unicode.split('.')) {
    if (/[^ -~]/.test(label) && mixesScripts(label)) {
      return fail('the domain mixes alphabets (for example Latin and Cyrillic letters)');
    }
  }
  const ascii = domainToASCII(unicode);
  if (!ascii || ascii.length > 253) return fail('the domain is not a valid domain name');
  const labels = ascii.split('.');
  if (labels.length < 2) return fail('the domain needs a dot, as in example.com');
  if (!labels.every((l) => DNS_LABEL.test(l)) || !TLD.test(labels[labels.length - 1] ?? '')) {
    return fail('the domain is not a valid domain name');
  }
  return { ok: true, domain: ascii };
}

export function normaliseEmail(input: string): ({ ok: true } & NormalisedEmail) | EmailProblem {
  // Checked before NFKC: normalisation would silently drop some invisibles and hide the trick.
  if (hasHiddenCharacters(input)) return fail('contains invisible or text-direction characters');
  const text = input.normalize('NFKC').trim();
  if (CONTROL.test(text)) return fail('contains control characters');
  if (text.length === 0) return fail('is empty');
  if (text.length > 254) return fail('is longer than 254 characters');
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return fail('must look like name@example.com');
  const local = text.slice(0, at);
  if (local.length > 64) return fail('has a part before @ longer than 64 characters');
  if (!LOCAL_PART.test(local)) {
    return fail("may use only ASCII letters, digits, dots and !#$%&'*+/=?^_`{|}~- before the @");
  }
  const domain = normaliseDomain(text.slice(at + 1));
  if (!domain.ok) return domain;
  const address = `${local}@${domain.domain}`;
  return { ok: true, address, key: address.toLowerCase() };
}
