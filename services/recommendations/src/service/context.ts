// The caller's situation at request time, read from the interaction log (and the cart, when available).
import type { CartApi } from '@emporium/cart';
import type { ContextRow } from './store.ts';

export interface CallerContext {
  /** Products the caller interacted with, oldest first, repeats collapsed: the model's input. */
  history: string[];
  purchased: Set<string>;
  /** Products in the cart: from the cart service when it can tell, else from add_to_cart events. */
  cart: string[];
  /** Products touched in the current session, newest first. */
  session: string[];
}

export function callerContext(rows: readonly ContextRow[]): CallerContext {
  const purchased = new Set(rows.filter((r) => r.kind === 'purchase').map((r) => r.productId));
  const history: string[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const id = rows[i]!.productId;
    if (history.at(-1) !== id) history.push(id);
  }
  const cart = unique(
    rows.filter((r) => r.kind === 'add_to_cart' && !purchased.has(r.productId)).map((r) => r.productId),
  );
  const session = unique(rows.filter((r) => r.inSession && r.kind !== 'purchase').map((r) => r.productId));
  return { history, purchased, cart, session };
}

/** The signed-in customer's cart lines as product ids; undefined when the cart service cannot answer. */
export async function cartProducts(
  cart: Pick<CartApi, 'getCustomerCart'> | undefined,
  userId: string | undefined,
): Promise<string[] | undefined> {
  if (!cart || !userId) return undefined;
  try {
    const view = await cart.getCustomerCart(userId);
    return unique(view.items.map((l) => l.productId));
  } catch {
    return undefined;
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
