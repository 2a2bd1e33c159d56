/**
 * Text analysis shared by indexing and querying: both sides must produce the same terms, so there
 * is exactly one analyzer. Steps: NFKD + accent stripping, lower case, numbers (fractions,
 * mixed numbers, decimals, thousands separators) to one decimal spelling, units after a number
 * to one canonical unit (`1/2 in.` ~ `1/2 inch` ~ `.5"`), dimension `x` dropped, stop words
 * dropped, light stemming.
 */
import { stem } from './stemmer.ts';

const UNITS: Record<string, string> = {
  in: 'in',
  inch: 'in',
  inches: 'in',
  ft: 'ft',
  feet: 'ft',
  foot: 'ft',
  yd: 'yd',
  yard: 'yd',
  yards: 'yd',
  lb: 'lb',
  lbs: 'lb',
  pound: 'lb',
  pounds: 'lb',
  oz: 'oz',
  ounce: 'oz',
  ounces: 'oz',
  gal: 'gal',
  gallon: 'gal',
  gallons: 'gal',
  qt: 'qt',
  quart: 'qt',
  quarts: 'qt',
  pt: 'pt',
  pint: 'pt',
  pints: 'pt',
  mm: 'mm',
  millimeter: 'mm',
  cm: 'cm',
  centimeter: 'cm',
  v: 'volt',
  volt: 'volt',
  volts: 'volt',
  w: 'watt',
  watt: 'watt',
  watts: 'watt',
  amp: 'amp',
  amps: 'amp',
  ampere: 'amp',
  ah: 'ah',
  btu: 'btu',
  btus: 'btu',
  hp: 'hp',
  psi: 'psi',
  gpm: 'gpm',
  cfm: 'cfm',
  kw: 'kw',
  ga: 'gauge',
  gauge: 'gauge',
  awg: 'gauge',
  sq: 'sq',
  square: 'sq',
  cu: 'cu',
  cubic: 'cu',
  pc: 'piece',
  pcs: 'piece',
  piece: 'piece',
  pieces: 'piece',
  pk: 'pack',
  pack: 'pack',
  lite: 'light',
  lt: 'light',
};

/** Words that are units even with no number before them. */
const ALWAYS_UNIT = new Set([
  'inch',
  'inches',
  'feet',
  'foot',
  'lbs',
  'pound',
  'pounds',
  'gallon',
  'gallons',
  'volt',
  'volts',
  'watt',
  'watts',
  'amps',
  'btu',
  'awg',
  'gauge',
  'quart',
  'ounce',
  'ounces',
  'pcs',
  'pieces',
  'piece',
]);
/** Words that are units only when a number or another unit precedes them (`in Chrome`, `sq`). */
const AREA_PREFIX = new Set(['sq', 'cu']);

const STOP = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'for',
  'with',
  'of',
  'to',
  'in',
  'on',
  'by',
  'at',
  'is',
  'x',
  'from',
  'as',
  'be',
  'it',
  'its',
  'that',
  'this',
  'into',
  'per',
]);

function gcdFree(n: number): string {
  const s = (Math.round(n * 1000) / 1000).toString();
  return s;
}

function fraction(whole: string | undefined, num: string, den: string): string {
  const d = Number(den);
  if (d === 0) return `${whole ?? ''} ${num} ${den}`;
  return gcdFree((whole ? Number(whole) : 0) + Number(num) / d);
}

/** Rewrites number spellings and inch/foot marks before tokenising. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2033\u201d\u201c]|''/g, '"')
    .replace(/[\u2032\u2019\u2018`]/g, "'")
    .replace(/(\d),(\d{3})(?!\d)/g, '$1$2')
    .replace(/(\d+)(?:-| +)(\d+)\/(\d+)/g, (_m, w: string, n: string, d: string) => ` ${fraction(w, n, d)} `)
    .replace(/(\d+)\/(\d+)/g, (_m, n: string, d: string) => ` ${fraction(undefined, n, d)} `)
    .replace(/(^|[^\d.])\.(\d)/g, '$10.$2')
    .replace(/(\d)\s*"/g, '$1 in ')
    .replace(/(\d)\s*'/g, '$1 ft ');
}

const TOKEN = /[a-z]+|\d+(?:\.\d+)?/g;

function canonicalNumber(t: string): string {
  if (!t.includes('.')) return t.length > 1 ? t.replace(/^0+(?=\d)/, '') : t;
  const trimmed = t.replace(/\.?0+$/, '');
  return trimmed === '' ? '0' : trimmed;
}

function isNumber(t: string): boolean {
  const c = t.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Raw tokens in order, numbers canonical, before unit and stop-word handling. */
export function rawTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of normaliseText(text).matchAll(TOKEN)) {
    const t = m[0];
    out.push(isNumber(t) ? canonicalNumber(t) : t);
  }
  return out;
}

function unitOf(tok: string, prev: string | undefined, next: string | undefined): string | undefined {
  const unit = UNITS[tok];
  if (!unit) return undefined;
  if (ALWAYS_UNIT.has(tok)) return unit;
  if (prev !== undefined && (isNumber(prev) || AREA_PREFIX.has(prev))) return unit;
  if (AREA_PREFIX.has(unit) && next !== undefined && UNITS[next] !== undefined) return unit;
  if (tok === 'square' || tok === 'cubic') return undefined;
  return undefined;
}

/** Terms for indexing and querying, in order (positions are array indices). */
export function analyze(text: string): string[] {
  const raw = rawTokens(text);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const tok = raw[i] as string;
    if (isNumber(tok)) {
      out.push(tok);
      continue;
    }
    const unit = unitOf(tok, raw[i - 1], raw[i + 1]);
    if (unit) {
      out.push(unit);
      continue;
    }
    if (STOP.has(tok)) continue;
    out.push(stem(tok));
  }
  return out;
}

/** Analyses one word the way `analyze` would with no context (for prefixes and synonyms). */
export function analyzeWord(word: string): string | undefined {
  return analyze(word)[0];
}

export function isNumericTerm(term: string): boolean {
  return isNumber(term);
}

/** True for a unit word (`watt`, `ft`, `lbs`): a number before it is a measurement. */
export function isUnitWord(word: string): boolean {
  return Object.hasOwn(UNITS, word.toLowerCase());
}
