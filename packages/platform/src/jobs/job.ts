/**
 * A piece of background work a service declares instead of running its own timer: the composition root
 * hands every module's jobs to one `JobScheduler`, which owns the timers, the leases and the shutdown.
 */
export interface JobDefinition {
  /** Unique in the deployment: the lease of an exclusive job is keyed by it (e.g. `inventory.sweep`). */
  readonly name: string;
  /** Time between the starts of two runs; 0 or less disables the job (tests drive the work by hand). */
  readonly everyMs: number;
  /**
   * One run. The signal aborts when the scheduler stops or this process loses the job's lease: a long
   * run should stop at its next safe point, since another process may already be running the job.
   */
  run(signal: AbortSignal): Promise<void>;
  /**
   * One process at a time across the deployment, through a lease in the database (default true). False
   * for work on the process's own state, such as writing its in-memory index to its disk.
   */
  readonly exclusive?: boolean;
  /** How long a taken lease lasts unless renewed; default three intervals, at least a second. */
  readonly leaseMs?: number;
  /** Run once as soon as the scheduler starts, instead of one interval later. */
  readonly runAtStart?: boolean;
}

const MIN_DEFAULT_LEASE_MS = 1_000;

/** A lease outlives a few missed renewals of a busy holder, so a slow tick does not hand the job over. */
export function leaseMsOf(job: JobDefinition): number {
  return job.leaseMs ?? Math.max(3 * job.everyMs, MIN_DEFAULT_LEASE_MS);
}
