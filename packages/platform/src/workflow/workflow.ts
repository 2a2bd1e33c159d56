/**
 * A workflow is a list of durable steps, each with the compensation that undoes it beside it (the shape
 * of Medusa's `createStep(id, invoke, compensate)`). Where a run stands is one name, persisted by the
 * owning service after every step: the next step going forward, the next compensation going back, or
 * `done`. Steps must be idempotent, because a step interrupted by a crash is run again.
 */

/** Where a run stands when nothing is left to do. */
export const DONE = 'done';

export interface WorkflowRun<S> {
  readonly id: string;
  /** The step or compensation to run next, or `DONE`. */
  readonly position: string;
  /** Failed attempts at the current position since the last step succeeded: the backoff grows with it. */
  readonly failures: number;
  readonly state: S;
}

/**
 * What a step asks for. `next` moves on; `fail` is a permanent failure (an answer that repeating cannot
 * change) and undoes what the earlier steps did, latest first. `undoThis` also undoes the failing step,
 * for a step that gives up after its effect may have happened (a cancel seen after a crash mid-step).
 * A thrown error is transient: the run is parked and retried with backoff.
 */
export type StepOutcome<P> =
  | { readonly kind: 'next'; readonly patch?: P }
  | { readonly kind: 'fail'; readonly patch?: P; readonly undoThis: boolean };

export const next = <P>(patch?: P): StepOutcome<P> => ({ kind: 'next', patch });
export const fail = <P>(patch?: P, options: { undoThis?: boolean } = {}): StepOutcome<P> => ({
  kind: 'fail',
  patch,
  undoThis: options.undoThis ?? false,
});

export type Invoke<S, P> = (run: WorkflowRun<S>) => Promise<StepOutcome<P>>;
/** Undoes a step; may find nothing to undo. A patch it returns is persisted with the move back. */
export type Compensate<S, P> = (run: WorkflowRun<S>) => Promise<P | void>;

export interface Step<S, P> {
  readonly name: string;
  readonly invoke: Invoke<S, P>;
  readonly compensation?: { readonly name: string; readonly run: Compensate<S, P> };
}

/**
 * A compensation is persisted under its own name while it runs; it defaults to `<step>:undo`, and a
 * service whose rows already name their compensations (orders' `release`, `void`) passes its own.
 */
export function createStep<S, P>(
  name: string,
  invoke: Invoke<S, P>,
  compensate?: Compensate<S, P> | { name: string; run: Compensate<S, P> },
): Step<S, P> {
  if (!compensate) return { name, invoke };
  const compensation =
    typeof compensate === 'function' ? { name: `${name}:undo`, run: compensate } : compensate;
  return { name, invoke, compensation };
}

/** One move: where the run goes next, and what the step asks the store to persist with the move. */
export interface Move<P> {
  readonly to: string;
  readonly patch?: P;
}

export interface Workflow<S, P> {
  readonly name: string;
  readonly steps: readonly Step<S, P>[];
  /** The position of a new run. */
  readonly first: string;
  /** Where a finished run goes to be undone as a whole (a cancel after the end). */
  readonly undoAll: string;
  /** Runs whatever stands at the position and says where the run goes next. */
  execute(run: WorkflowRun<S>): Promise<Move<P>>;
}

type Located<S, P> = { index: number; step: Step<S, P>; compensating: boolean };

export function defineWorkflow<S, P>(definition: { name: string; steps: Step<S, P>[] }): Workflow<S, P> {
  const { name, steps } = definition;
  const positions = indexPositions(name, steps);
  /** The compensation of the latest step at or before `index` that has one, or the end. */
  const undoFrom = (index: number): string => {
    for (let i = index; i >= 0; i--) {
      const compensation = steps[i]?.compensation;
      if (compensation) return compensation.name;
    }
    return DONE;
  };
  const locate = (position: string): Located<S, P> => {
    const found = positions.get(position);
    if (!found) throw new Error(`workflow ${name} has no step or compensation named ${position}`);
    return found;
  };
  return {
    name,
    steps,
    first: steps[0]?.name ?? DONE,
    undoAll: undoFrom(steps.length - 1),
    async execute(run) {
      const { index, step, compensating } = locate(run.position);
      if (compensating) {
        const patch = (await step.compensation?.run(run)) ?? undefined;
        return { to: undoFrom(index - 1), patch };
      }
      const outcome = await step.invoke(run);
      if (outcome.kind === 'next') return { to: steps[index + 1]?.name ?? DONE, patch: outcome.patch };
      return { to: undoFrom(outcome.undoThis ? index : index - 1), patch: outcome.patch };
    },
  };
}

function indexPositions<S, P>(name: string, steps: Step<S, P>[]): Map<string, Located<S, P>> {
  const positions = new Map<string, Located<S, P>>();
  const add = (position: string, located: Located<S, P>) => {
    // One persisted name must mean one thing, or a resumed run would run the wrong code.
    if (position === DONE || positions.has(position))
      throw new Error(`workflow ${name}: the name ${position} is used twice`);
    positions.set(position, located);
  };
  steps.forEach((step, index) => {
    add(step.name, { index, step, compensating: false });
    if (step.compensation) add(step.compensation.name, { index, step, compensating: true });
  });
  return positions;
}
