/**
 * Turns query text into term groups: one group per query word, each with weighted alternative
 * dictionary terms (the word itself, synonyms, typo corrections, prefix completions), plus
 * optional bonus groups (multi-word synonyms, compounds: `deck over` ~ `deckover`). A document's
 * score for a group is its best alternative; coverage counts the groups it matched.
 */
import { analyze, isNumericTerm, rawTokens } from './analyzer.ts';
import { stem } from './stemmer.ts';
import type { TermDictionary } from './embedded/dictionary.ts';
import { typoBudget } from './embedded/edit-distance.ts';
import { longestRule, type SynonymMap } from './synonyms.ts';

export interface TermAlt {
  term: number;
  weight: number;
}

export interface TermGroup {
  text: string;
  alts: TermAlt[];
  /** Counts toward coverage (minimum-should-match); bonus groups only add score. */
  counts: boolean;
  /** From a quoted phrase: a match must contain it. */
  required: boolean;
}

export interface ExpandOptions {
  fuzzyWeight: number;
  /** Words with at least this document frequency are trusted as typed: no typo expansion. */
  fuzzyMaxDf: number;
  fuzzyMaxAlternatives: number;
  synonymWeight: number;
  compoundWeight: number;
  prefixWeight: number;
  /** Complete the last word as a prefix (type-ahead). */
  prefixLast: boolean;
}

export const DEFAULT_EXPAND: ExpandOptions = {
  fuzzyWeight: 0.6,
  fuzzyMaxDf: 3,
  fuzzyMaxAlternatives: 4,
  synonymWeight: 0.8,
  compoundWeight: 0.7,
  prefixWeight: 0.7,
  prefixLast: false,
};

function addAlt(group: TermGroup, term: number | undefined, weight: number): void {
  if (term === undefined) return;
  const existing = group.alts.find((a) => a.term === term);
  if (existing) existing.weight = Math.max(existing.weight, weight);
  else group.alts.push({ term, weight });
}

function live(dict: TermDictionary, term: string): number | undefined {
  const id = dict.idOf(term);
  return id !== undefined && (dict.df[id] ?? 0) > 0 ? id : undefined;
}

export class QueryExpander {
  private readonly maxRule: number;

  constructor(
    private readonly dict: TermDictionary,
    private readonly synonyms: SynonymMap,
    readonly options: ExpandOptions = DEFAULT_EXPAND,
  ) {
    this.maxRule = longestRule(synonyms);
  }

  expand(text: string, required = false, opts: Partial<ExpandOptions> = {}): TermGroup[] {
    const o = { ...this.options, ...opts };
    const terms = analyze(text);
    const groups: TermGroup[] = terms.map((t) => this.wordGroup(t, required, o));
    if (o.prefixLast && groups.length > 0) this.addPrefix(groups[groups.length - 1] as TermGroup, text, o);
    return [...groups, ...this.synonymGroups(terms, groups, o), ...this.compoundGroups(terms, o)];
  }

  private wordGroup(term: string, required: boolean, o: ExpandOptions): TermGroup {
    const group: TermGroup = { text: term, alts: [], counts: true, required };
    const exact = live(this.dict, term);
    addAlt(group, exact, 1);
    const df = exact === undefined ? 0 : (this.dict.df[exact] ?? 0);
    if (!isNumericTerm(term) && df < o.fuzzyMaxDf) {
      const matches = this.dict.fuzzy(term, typoBudget(term)).slice(0, o.fuzzyMaxAlternatives);
      for (const m of matches) addAlt(group, m.term, o.fuzzyWeight ** m.distance);
    }
    for (const syn of this.synonyms.get(term) ?? []) {
      if (syn.length === 1) addAlt(group, live(this.dict, syn[0] as string), o.synonymWeight);
    }
    return group;
  }

  private addPrefix(group: TermGroup, text: string, o: ExpandOptions): void {
    const raw = rawTokens(text).at(-1);
    if (!raw || /\s$/.test(text)) return;
    for (const p of new Set([raw, stem(raw)])) {
      for (const id of this.dict.withPrefix(p, 8)) addAlt(group, id, o.prefixWeight);
    }
  }

  /** Multi-word synonym rules become optional groups that reward documents using the other wording. */
  private synonymGroups(terms: string[], groups: TermGroup[], o: ExpandOptions): TermGroup[] {
    const out: TermGroup[] = [];
    for (let i = 0; i < terms.length; i++) {
      for (let n = 1; n <= this.maxRule && i + n <= terms.length; n++) {
        const rules = this.synonyms.get(terms.slice(i, i + n).join(' '));
        if (!rules) continue;
        for (const rhs of rules) {
          if (n === 1 && rhs.length === 1) continue;
          const g: TermGroup = { text: rhs.join(' '), alts: [], counts: false, required: false };
          for (const t of rhs) addAlt(g, live(this.dict, t), o.synonymWeight / rhs.length);
          if (g.alts.length === rhs.length) out.push(g);
        }
      }
    }
    void groups;
    return out;
  }

  /** `deck over` also finds `deckover`; `showerhead` also finds `shower head`. */
  private compoundGroups(terms: string[], o: ExpandOptions): TermGroup[] {
    const out: TermGroup[] = [];
    for (let i = 0; i + 1 < terms.length; i++) {
      const a = terms[i] as string;
      const b = terms[i + 1] as string;
      if (isNumericTerm(a) || isNumericTerm(b)) continue;
      const joined = live(this.dict, stem(a + b)) ?? live(this.dict, a + b);
      if (joined !== undefined)
        out.push({
          text: a + b,
          alts: [{ term: joined, weight: o.compoundWeight }],
          counts: false,
          required: false,
        });
    }
    for (const t of terms) {
      if (t.length < 6 || isNumericTerm(t) || live(this.dict, t) !== undefined) continue;
      for (let cut = 3; cut <= t.length - 3; cut++) {
        const left = live(this.dict, t.slice(0, cut));
        const right = live(this.dict, stem(t.slice(cut)));
        if (left === undefined || right === undefined) continue;
        out.push({
          text: t.slice(0, cut),
          alts: [{ term: left, weight: o.compoundWeight }],
          counts: false,
          required: false,
        });
        out.push({
          text: t.slice(cut),
          alts: [{ term: right, weight: o.compoundWeight }],
          counts: false,
          required: false,
        });
        break;
      }
    }
    return out;
  }
}
