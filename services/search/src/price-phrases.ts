/**
 * Natural-language price phrases (`phone under 300`, `under $50`, `$100-$300`, `over 200`,
 * `between 20 and 50 dollars`) become price filters and leave the text query: left as words, `300`
 * ranks a car called "300 Touring" above every phone. People speak in major units, so the phrase's
 * amounts are read as major units and turned into the filters' minor units.
 *
 * A number is a price only where the phrase says so: a comparison word (under, below, less than,
 * over, above, more than, between) or a currency mark ($, €, £, dollars, usd, euros). A number
 * followed by a unit (`under 300 watt`, `over 6 ft`) is a measurement, and `max` needs a currency
 * mark because it is also part of model names (`Toro Power Max 726`). A lone `$100` states no
 * direction, so it stays in the text.
 */
import { isUnitWord } from './analyzer.ts';
import type { SearchFilters } from './types.ts';

const SIGN = '[$€£]';
const WORD = '(?:dollars?|usd|bucks|euros?|eur)';
/** An amount, optionally signed, with thousands separators and cents. Groups: sign, number, word. */
const AMOUNT = `(${SIGN})?\\s?(\\d{1,3}(?:,\\d{3})+(?:\\.\\d{1,2})?|\\d+(?:\\.\\d{1,2})?)(?:\\s?(${WORD}))?`;
/** The amount must end a word: not `300w`, `2x4`, `1/2`, `6"` or `10%`. */
const END = `(?![\\w/"'%-]|[.,]\\w)`;

const BELOW = '(?:under|below|less than|cheaper than|<)';
const ABOVE = '(?:over|above|more than|>)';

type Bound = 'min' | 'max';
interface Rule {
  pattern: RegExp;
  apply(m: RegExpExecArray, filters: SearchFilters): boolean;
}

interface Amount {
  minor: number;
  marked: boolean;
}

function amountAt(m: RegExpExecArray, first: number, rest: string): Amount | undefined {
  const [sign, number, word] = [m[first], m[first + 1], m[first + 2]];
  if (number === undefined) return undefined;
  const marked = sign !== undefined || word !== undefined;
  if (!marked && isMeasurement(nextWord(rest))) return undefined;
  return { minor: Math.round(Number(number.replace(/,/g, '')) * 100), marked };
}

/** `under 300 watt`, `over 2 x 4`: the number measures something. */
function isMeasurement(word: string): boolean {
  return word === 'x' || isUnitWord(word);
}

function nextWord(rest: string): string {
  return /^\s*([a-z]+)/i.exec(rest)?.[1]?.toLowerCase() ?? '';
}

function after(m: RegExpExecArray): string {
  return m.input.slice(m.index + m[0].length);
}

/** "under 300" excludes 300.00 itself; the filters' bounds are inclusive minor units. */
function oneSided(words: string, bound: Bound, offset: number, needsMark = false): Rule {
  return {
    pattern: new RegExp(`(?<![\\w$€£])${words}\\s*${AMOUNT}${END}`, 'giu'),
    apply(m, filters) {
      const a = amountAt(m, 1, after(m));
      if (!a || (needsMark && !a.marked)) return false;
      if (bound === 'max') filters.maxPrice = Math.max(0, a.minor + offset);
      else filters.minPrice = a.minor + offset;
      return true;
    },
  };
}

function range(lead: string, join: string, needsMark: boolean): Rule {
  return {
    pattern: new RegExp(`(?<![\\w$€£])${lead}${AMOUNT}\\s*${join}\\s*${AMOUNT}${END}`, 'giu'),
    apply(m, filters) {
      const low = amountAt(m, 1, '');
      const high = amountAt(m, 4, after(m));
      if (!low || !high || (needsMark && !low.marked && !high.marked)) return false;
      filters.minPrice = Math.min(low.minor, high.minor);
      filters.maxPrice = Math.max(low.minor, high.minor);
      return true;
    },
  };
}

const RULES: Rule[] = [
  range('(?:between|from)\\s+', '(?:and|to|-)', false),
  range('', '(?:-|to)', true),
  oneSided(BELOW, 'max', -1),
  oneSided('(?:max(?:imum)?|up to|at most)', 'max', 0, true),
  oneSided(ABOVE, 'min', 1),
  oneSided('(?:min(?:imum)?|at least)', 'min', 0, true),
];

/** Moves the price phrases of `text` into `filters`; returns the text without them. */
export function extractPricePhrases(text: string, filters: SearchFilters): string {
  return RULES.reduce((out, rule) => applyRule(out, rule, filters), text);
}

function applyRule(text: string, rule: Rule, filters: SearchFilters): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(rule.pattern)) {
    if (!rule.apply(m, filters)) continue;
    out += `${text.slice(last, m.index)} `;
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}
