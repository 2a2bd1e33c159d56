import type { Logger } from 'pino';
import type { JobDefinition } from '../jobs/job.ts';
import { DONE, type Workflow, type WorkflowRun } from './workflow.ts';

/**
 * Where a service keeps its runs. The runner never sees the table, so a service may keep runs on rows
 * it already has (orders keeps them on the order row) or use `SqlWorkflowStore`. Every method that
 * moves a run acts under the run's lease: only the holder advances or parks it.
 */
export interface WorkflowStateStore<S, P> {
  /**
   * Takes the lease if nobody holds a live one and the run is unfinished. A parked run (after a
   * failure) is only taken once its next attempt is due, unless `wake` says an event made retrying
   * worthwhile now.
   */
  claim(id: string, options: { leaseMs: number; wake: boolean }): Promise<WorkflowRun<S> | undefined>;
  /**
   * Persists the new position, the step's patch and a renewed lease in one transaction; a run that
   * reaches `DONE` gives its lease up. Resets the failure count.
   */
  advance(run: WorkflowRun<S>, to: string, patch: P | undefined, leaseMs: number): Promise<WorkflowRun<S>>;
  /** Gives the lease up after a failed attempt and counts it; the run may be retried after `retryMs`. */
  park(run: WorkflowRun<S>, retryMs: number): Promise<void>;
  load(id: string): Promise<WorkflowRun<S> | undefined>;
  /** Unfinished runs with no live lease whose next attempt is due, oldest first. */
  due(limit: number): Promise<string[]>;
}

export interface RetryPolicy {
  /** The pause after the first failure. */
  readonly baseMs: number;
  /** No pause is longer than this, however often the step failed. */
  readonly maxMs: number;
}

/** Doubles the pause with every failure in a row, up to the cap: a long outage is not hammered. */
export function backoffMs(policy: RetryPolicy, failures: number): number {
  const cap = Math.max(policy.baseMs, policy.maxMs);
  return Math.min(cap, policy.baseMs * 2 ** Math.min(Math.max(failures, 0), 30));
}

export interface WorkflowRunnerOptions {
  /** How long a driver may hold a run without advancing it before another may take over. */
  readonly leaseMs: number;
  readonly retry: RetryPolicy;
  readonly logger: Pick<Logger, 'warn'>;
  /** Test hook at `before:<position>` and `after:<position>` (done, not yet persisted). */
  readonly hook?: (point: string, id: string) => Promise<void> | void;
  /** Called after every persisted move, e.g. to wake the outbox relay for the events it wrote. */
  readonly onAdvance?: () => void;
}

/**
 * Drives runs of one workflow one persisted step at a time under a lease. A run is resumed from its
 * persisted position by whoever takes the lease next: the caller that started it, the recovery job, or
 * an external event (`wake`) such as a payment webhook for a run parked waiting on it.
 */
export class WorkflowRunner<S, P> {
  constructor(
    readonly workflow: Workflow<S, P>,
    private readonly store: WorkflowStateStore<S, P>,
    private readonly options: WorkflowRunnerOptions,
  ) {}

  /**
   * Runs until done or a step fails transiently (the run is then parked); returns the run as it stands.
   * `run` is one the caller already holds the lease of (it has just created it). Without a lease, does
   * nothing and returns the run: a live driver will finish it.
   */
  async drive(id: string, start: { run?: WorkflowRun<S>; wake?: boolean } = {}) {
    let run =
      start.run ?? (await this.store.claim(id, { leaseMs: this.options.leaseMs, wake: start.wake ?? false }));
    if (!run) return this.store.load(id);
    while (run.position !== DONE) {
      const moved = await this.step(run);
      if (!moved) return this.store.load(id);
      run = moved;
    }
    return run;
  }

  /** An external event says the run may move now: take it over even if parked, never from a live driver. */
  wake(id: string) {
    return this.drive(id, { wake: true });
  }

  /** One pass over the runs that are due; returns how many were driven. */
  async recover(limit: number, signal?: AbortSignal): Promise<number> {
    let driven = 0;
    for (const id of await this.store.due(limit)) {
      if (signal?.aborted) break;
      await this.drive(id);
      driven++;
    }
    return driven;
  }

  /** The recovery pass as a declared job: one process at a time looks, each run is still leased. */
  recoveryJob(options: { name: string; everyMs: number; batch?: number }): JobDefinition {
    return {
      name: options.name,
      everyMs: options.everyMs,
      // After a restart, runs left by the dead process move on at once rather than one interval later.
      runAtStart: true,
      run: async (signal) => {
        await this.recover(options.batch ?? 50, signal);
      },
    };
  }

  private async step(run: WorkflowRun<S>): Promise<WorkflowRun<S> | undefined> {
    const { hook, leaseMs } = this.options;
    await hook?.(`before:${run.position}`, run.id);
    let move;
    try {
      move = await this.workflow.execute(run);
    } catch (error) {
      await this.park(run, error);
      return undefined;
    }
    await hook?.(`after:${run.position}`, run.id);
    const moved = await this.store.advance(run, move.to, move.patch, leaseMs);
    this.options.onAdvance?.();
    return moved;
  }

  private async park(run: WorkflowRun<S>, error: unknown): Promise<void> {
    const retryInMs = backoffMs(this.options.retry, run.failures);
    this.options.logger.warn(
      { err: error, workflow: this.workflow.name, id: run.id, step: run.position, retryInMs },
      'workflow step failed; will retry',
    );
    await this.store.park(run, retryInMs);
  }
}
