import { conflict, notFound, validation, type FieldError, type Money } from '@emporium/platform';
import { candidateKeys, categoryKey, WHOLE_BPS, type Rate } from './money.ts';
import type { Db, LedgerStore, RuleRow } from './store.ts';
import type { CommissionRule } from './types.ts';

export interface RuleInput {
  /** A category path as names or slugs ("Electronics/Phones"); null for the platform default. */
  category: string | null;
  percentBps: number;
  fixedFee?: Money;
}

const DEFAULT_KEY = '';
const MAX_FIXED_FEE = 1_000_000_000;

function problemsOf(input: RuleInput): FieldError[] {
  const problems: FieldError[] = [];
  if (!Number.isInteger(input.percentBps) || input.percentBps < 0 || input.percentBps > WHOLE_BPS)
    problems.push({ field: 'percentBps', message: `must be an integer from 0 to ${WHOLE_BPS} (100 %)` });
  const fee = input.fixedFee;
  if (fee && (!Number.isInteger(fee.amount) || fee.amount < 0 || fee.amount > MAX_FIXED_FEE))
    problems.push({
      field: 'fixedFee.amount',
      message: 'must be a whole number of minor units, not negative',
    });
  if (fee && !/^[A-Z]{3}$/.test(fee.currency))
    problems.push({ field: 'fixedFee.currency', message: 'must be an ISO 4217 code such as EUR' });
  if (input.category !== null && categoryKey(input.category) === '')
    problems.push({ field: 'category', message: 'must name a category, or be null for the default' });
  return problems;
}

export const ruleView = (row: RuleRow): CommissionRule => ({
  category: row.category === DEFAULT_KEY ? null : row.category,
  percentBps: row.percent_bps,
  ...(row.fixed_fee > 0 && row.currency
    ? { fixedFee: { amount: row.fixed_fee, currency: row.currency } }
    : {}),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * Commission rules by category (ADR 1010): the rule of the deepest category on a product's path wins,
 * then the platform default, which always exists. The route schemas refuse bad values too; these checks
 * are for in-process callers, which skip the routes but not the rules.
 */
export class CommissionRules {
  constructor(private readonly store: LedgerStore) {}

  async list(): Promise<CommissionRule[]> {
    return (await this.store.rules()).map(ruleView);
  }

  async put(input: RuleInput): Promise<CommissionRule> {
    const problems = problemsOf(input);
    if (problems.length > 0) throw validation('This commission rule is not valid', problems);
    const fee = input.fixedFee && input.fixedFee.amount > 0 ? input.fixedFee : undefined;
    const row = await this.store.putRule({
      category: input.category === null ? DEFAULT_KEY : categoryKey(input.category),
      percent_bps: input.percentBps,
      fixed_fee: fee?.amount ?? 0,
      currency: fee?.currency ?? null,
    });
    return ruleView(row);
  }

  async remove(category: string): Promise<void> {
    const key = categoryKey(category);
    if (key === DEFAULT_KEY) throw conflict('The platform default rule can be changed but not removed');
    if (!(await this.store.deleteRule(key))) throw notFound(`the commission rule for ${key}`);
  }

  /** The rate of each category path given (as the catalog's names), read in one query. */
  async ratesFor(db: Db, paths: string[][]): Promise<Map<string, Rate>> {
    const keys = paths.map(categoryKey);
    const rows = await this.store.rulesFor(db, [...new Set(keys.flatMap(candidateKeys))]);
    const byKey = new Map(rows.map((r) => [r.category, r]));
    const rates = new Map<string, Rate>();
    for (const key of keys) {
      const rule = candidateKeys(key)
        .map((k) => byKey.get(k))
        .find((r) => r !== undefined);
      rates.set(key, rule ? rateOf(rule) : { percentBps: 0, fixedFee: 0, currency: null });
    }
    return rates;
  }
}

const rateOf = (row: RuleRow): Rate => ({
  percentBps: row.percent_bps,
  fixedFee: row.fixed_fee,
  currency: row.currency,
});
