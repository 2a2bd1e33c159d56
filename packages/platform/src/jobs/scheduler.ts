import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { SqlDatabase } from '../sql/database.ts';
import { leaseMsOf, type JobDefinition } from './job.ts';
import { JobLeases } from './leases.ts';

export interface JobSchedulerOptions {
  db: SqlDatabase;
  logger: Logger;
  /** Schema of the lease table (default `platform`): suites sharing a server each use their own. */
  schema?: string;
  /** This process's name in the leases; by default host, pid and a random part, unique per scheduler. */
  holder?: string;
}

/**
 * Runs every declared job on its interval, one run at a time per job. An exclusive job runs only while
 * this process holds its lease, so replicas of a service take turns instead of doing the work twice.
 */
export class JobScheduler {
  readonly holder: string;
  private readonly stopping = new AbortController();
  private loops: Promise<void>[] = [];
  private started = false;

  constructor(private readonly options: JobSchedulerOptions) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  async start(jobs: readonly JobDefinition[]): Promise<void> {
    if (this.started) throw new Error('the job scheduler is already started');
    this.started = true;
    assertUniqueNames(jobs);
    const enabled = jobs.filter((job) => job.everyMs > 0);
    const leases = enabled.some(isExclusive)
      ? await JobLeases.open(this.options.db, this.options.schema)
      : undefined;
    if (this.stopping.signal.aborted) return;
    this.loops = enabled.map((job) =>
      new ScheduledJob(job, {
        leases: isExclusive(job) ? leases : undefined,
        holder: this.holder,
        logger: this.options.logger.child({ job: job.name }),
        stopping: this.stopping.signal,
      }).loop(),
    );
  }

  /** Aborts the runs in progress, waits for them to return, then gives the leases up. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
  }
}

const isExclusive = (job: JobDefinition) => job.exclusive ?? true;

function assertUniqueNames(jobs: readonly JobDefinition[]): void {
  const seen = new Set<string>();
  for (const { name } of jobs) {
    if (seen.has(name)) throw new Error(`two background jobs are named ${name}: a lease is per name`);
    seen.add(name);
  }
}

interface JobContext {
  /** Present for an exclusive job. */
  leases: JobLeases | undefined;
  holder: string;
  logger: Logger;
  stopping: AbortSignal;
}

class ScheduledJob {
  private readonly leaseMs: number;

  constructor(
    private readonly job: JobDefinition,
    private readonly ctx: JobContext,
  ) {
    this.leaseMs = leaseMsOf(job);
  }

  async loop(): Promise<void> {
    let next = Date.now() + (this.job.runAtStart ? 0 : this.job.everyMs);
    while (await pause(next - Date.now(), this.ctx.stopping)) {
      // Counted from the start of a run, as setInterval did; a run longer than the interval skips ticks.
      next = Date.now() + this.job.everyMs;
      if (await this.take()) await this.runOnce();
    }
    await this.release();
  }

  /** Takes or renews the lease; always true for a job that is not exclusive. */
  private async take(): Promise<boolean> {
    const { leases, holder, logger } = this.ctx;
    if (!leases) return true;
    try {
      return await leases.acquire(this.job.name, holder, this.leaseMs);
    } catch (err) {
      logger.warn({ err }, 'background job lease unavailable; run skipped');
      return false;
    }
  }

  private async runOnce(): Promise<void> {
    const lost = new AbortController();
    const signal = AbortSignal.any([this.ctx.stopping, lost.signal]);
    const heartbeat = this.heartbeat(lost);
    try {
      await this.job.run(signal);
    } catch (err) {
      if (signal.aborted) this.ctx.logger.info({ err }, 'background job cut short');
      else this.ctx.logger.warn({ err }, 'background job failed');
    } finally {
      await heartbeat.stop();
    }
  }

  /**
   * Renews the lease while a run lasts, so a run longer than the lease is not taken over half-way. A
   * renewal another holder wins means this process lost the job: the run is told to stop.
   */
  private heartbeat(lost: AbortController): { stop(): Promise<void> } {
    const { leases, holder, logger } = this.ctx;
    if (!leases) return { stop: async () => undefined };
    let renewing = Promise.resolve();
    const renew = async () => {
      if (lost.signal.aborted) return;
      try {
        if (await leases.acquire(this.job.name, holder, this.leaseMs)) return;
        logger.warn('background job lease lost to another process; run aborted');
        lost.abort();
      } catch (err) {
        // The lease may well still be ours: keep running, the next renewal tries again.
        logger.warn({ err }, 'background job lease renewal failed');
      }
    };
    const timer = setInterval(() => (renewing = renewing.then(renew)), this.leaseMs / 3);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        // A renewal landing after `release` would take the lease back for a process that has stopped.
        await renewing;
      },
    };
  }

  private async release(): Promise<void> {
    const { leases, holder, logger } = this.ctx;
    await leases
      ?.release(this.job.name, holder)
      .catch((err: unknown) => logger.warn({ err }, 'background job lease not released; it will expire'));
  }
}

/** Waits `ms` unless the scheduler stops first; false once it has stopped. */
async function pause(ms: number, stopping: AbortSignal): Promise<boolean> {
  if (stopping.aborted) return false;
  // Unreferenced: a scheduler alone never keeps a process alive, its server or script does.
  await sleep(Math.max(0, ms), undefined, { signal: stopping, ref: false }).catch(() => undefined);
  return !stopping.aborted;
}
