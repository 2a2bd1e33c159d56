/**
 * The statuses an entity may move between, declared once as a table (the shape of Vendure's order
 * process). The store that persists the status checks every change against it, so a workflow step
 * cannot move an order somewhere the table does not allow, whichever code path asks.
 */
export class TransitionError extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`status transition ${from} → ${to} is not allowed`);
    this.name = 'TransitionError';
  }
}

export interface Transitions<S extends string> {
  readonly table: Readonly<Record<S, readonly S[]>>;
  /** Staying where one is is always allowed: re-running an idempotent step repeats its status. */
  allows(from: S, to: S): boolean;
  /** Throws a `TransitionError` when the table has no such move. */
  assert(from: S, to: S): void;
}

export function defineTransitions<S extends string>(table: Record<S, readonly S[]>): Transitions<S> {
  const allows = (from: S, to: S) => from === to || (table[from] ?? []).includes(to);
  return {
    table,
    allows,
    assert(from, to) {
      if (!allows(from, to)) throw new TransitionError(from, to);
    },
  };
}
