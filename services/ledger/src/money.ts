/**
 * The ledger's arithmetic, in integer minor units only (ADR 1010). Products of two amounts can pass 2^53,
 * so every multiplication before a division is done in BigInt.
 */

/** 100 % in basis points. */
export const WHOLE_BPS = 10_000;

/** `amount × numerator ÷ denominator`, rounded half up (amounts here are never negative). */
export function scaleHalfUp(amount: number, numerator: number, denominator: number): number {
  const product = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  return Number((product * 2n + d) / (2n * d));
}

/** `amount × numerator ÷ denominator`, rounded down. */
export function scaleDown(amount: number, numerator: number, denominator: number): number {
  return Number((BigInt(amount) * BigInt(numerator)) / BigInt(denominator));
}

/**
 * Splits `total` in proportion to `weights` so that the parts sum to `total` exactly: each part is
 * rounded down and the units left over go to the largest remainders (the earlier weight on a tie).
 */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(total) * BigInt(w));
  const parts = exact.map((e) => Number(e / BigInt(sum)));
  const remainders = exact.map((e, i) => ({ i, r: e % BigInt(sum) }));
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  let left = total - parts.reduce((a, b) => a + b, 0);
  for (const { i } of remainders) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

export interface Rate {
  percentBps: number;
  /** Per unit sold, in `currency`. */
  fixedFee: number;
  currency: string | null;
}

/**
 * The commission on one order line: the percentage of the line total rounded half up, plus the fixed fee
 * per unit when the rule's fee is in the line's currency; never more than the line itself.
 */
export function lineCommission(
  line: { total: number; quantity: number; currency: string },
  rate: Rate,
): number {
  const percentage = scaleHalfUp(line.total, rate.percentBps, WHOLE_BPS);
  const fixed = rate.currency === line.currency ? rate.fixedFee * line.quantity : 0;
  return Math.min(line.total, percentage + fixed);
}

export interface SellerShare {
  gross: number;
  commission: number;
}

/**
 * How much of each seller's sale and commission a refund of `refunded` out of `captured` reverses, in
 * total so far (callers post the difference from what earlier refunds reversed). The refunded share of
 * the order is spread over the sellers by `allocate`, and each seller's commission follows its own
 * refunded share, rounded half up. A full refund reverses everything exactly.
 */
export function reversalTargets(sales: SellerShare[], refunded: number, captured: number): SellerShare[] {
  const total = sales.reduce((a, s) => a + s.gross, 0);
  if (captured <= 0 || refunded <= 0) return sales.map(() => ({ gross: 0, commission: 0 }));
  const reversed = refunded >= captured ? total : scaleDown(total, refunded, captured);
  const grosses = allocate(
    reversed,
    sales.map((s) => s.gross),
  );
  return sales.map((s, i) => {
    const gross = grosses[i]!;
    const commission = gross === s.gross ? s.commission : scaleHalfUp(s.commission, gross, s.gross);
    return { gross, commission };
  });
}

/**
 * A category as the commission rules name it: its slug path from the root, as the catalog builds its own
 * paths (ADR 0601), whether it is given as names ("Home & Garden/Lamps") or slugs ("home-garden/lamps").
 */
export function categoryKey(path: string | string[]): string {
  const segments = typeof path === 'string' ? path.split('/') : path;
  return segments
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(slug)
    .join('/');
}

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';

/** The rule keys to try for a category, most specific first, ending with the platform default (''). */
export function candidateKeys(category: string): string[] {
  const segments = category === '' ? [] : category.split('/');
  const keys = segments.map((_, i) => segments.slice(0, segments.length - i).join('/'));
  return [...keys, ''];
}
