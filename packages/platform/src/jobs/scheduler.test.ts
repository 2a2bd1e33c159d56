import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, testDatabase, testUrls, uniqueName } from '../testing.ts';
import { JobLeases } from './leases.ts';
import { JobScheduler } from './scheduler.ts';
import type { JobDefinition } from './job.ts';

interface Run {
  by: string;
  start: number;
  end?: number;
}

/** Records every run of a job and how many ran at once, across all the schedulers sharing it. */
function recorder(workMs: number) {
  const runs: Run[] = [];
  let running = 0;
  let maxRunning = 0;
  const run = (by: string) => async () => {
    const entry: Run = { by, start: performance.now() };
    runs.push(entry);
    maxRunning = Math.max(maxRunning, ++running);
    await sleep(workMs);
    running--;
    entry.end = performance.now();
  };
  return { runs, run, maxRunning: () => maxRunning };
}

const finished = (runs: Run[]) => runs.filter((r) => r.end !== undefined);

function expectNoOverlap(runs: Run[]): void {
  const done = finished(runs).sort((a, b) => a.start - b.start);
  for (let i = 1; i < done.length; i++) expect(done[i]!.start).toBeGreaterThanOrEqual(done[i - 1]!.end!);
}

const poll = (fn: () => unknown, timeout = 20_000) => expect.poll(fn, { timeout, interval: 20 });

describe(`job scheduler (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const schema = uniqueName('t_jobs');
  const schedulers: JobScheduler[] = [];
  const scheduler = (logger = silentLogger()) => {
    const s = new JobScheduler({ db, logger, schema });
    schedulers.push(s);
    return s;
  };
  const leaseRows = async (name: string) =>
    (
      await sql<{ holder: string }>`select holder from ${sql.id(schema, 'job_leases')}
        where name = ${name}`.execute(db.forSchema(schema))
    ).rows;

  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    for (const s of schedulers) await s.stop();
    await db.dropSchemas(schema);
    await db.close();
  });

  it('runs a job on its interval and never overlaps it with itself', async () => {
    const r = recorder(60);
    const s = scheduler();
    await s.start([{ name: uniqueName('job'), everyMs: 10, run: r.run(s.holder) }]);
    await poll(() => finished(r.runs).length).toBeGreaterThanOrEqual(4);
    await s.stop();
    expect(r.maxRunning()).toBe(1);
    expectNoOverlap(r.runs);
  });

  it('logs a failed run and runs the job again at the next interval', async () => {
    const lines: { level: number; job?: string; msg?: string; err?: { message?: string } }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const name = uniqueName('job');
    let runs = 0;
    const s = scheduler(logger);
    await s.start([
      {
        name,
        everyMs: 20,
        exclusive: false,
        run: async () => {
          if (++runs === 1) throw new Error('sweep exploded');
        },
      },
    ]);
    await poll(() => runs).toBeGreaterThanOrEqual(3);
    await s.stop();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        job: name,
        msg: 'background job failed',
        err: expect.objectContaining({ message: 'sweep exploded' }),
      }),
    );
  });

  it('stops by aborting the run in progress, waiting for it, and releasing the lease', async () => {
    const name = uniqueName('job');
    const seen = { started: false, finished: false, aborted: false };
    const s = scheduler();
    await s.start([
      {
        name,
        everyMs: 60_000,
        runAtStart: true,
        run: async (signal) => {
          seen.started = true;
          // Ignores the signal for a while, as a run between two safe points does.
          await sleep(300);
          seen.aborted = signal.aborted;
          seen.finished = true;
        },
      },
    ]);
    await poll(() => seen.started).toBe(true);
    expect(await leaseRows(name)).toEqual([{ holder: s.holder }]);
    await s.stop();
    expect(seen).toEqual({ started: true, finished: true, aborted: true });
    expect(await leaseRows(name)).toEqual([]);
  });

  it('never runs a job whose interval is 0', async () => {
    const [disabled, enabled] = [uniqueName('off'), uniqueName('on')];
    const runs = { [disabled]: 0, [enabled]: 0 };
    const job = (name: string, everyMs: number): JobDefinition => ({
      name,
      everyMs,
      runAtStart: true,
      run: async () => {
        runs[name]!++;
      },
    });
    const s = scheduler();
    await s.start([job(disabled, 0), job(enabled, 10)]);
    await poll(() => runs[enabled]).toBeGreaterThanOrEqual(3);
    await s.stop();
    expect(runs[disabled]).toBe(0);
    expect(await leaseRows(disabled)).toEqual([]);
  });

  it('refuses two jobs with one name, since they would share a lease', async () => {
    const job: JobDefinition = { name: 'twice', everyMs: 1_000, run: async () => undefined };
    await expect(scheduler().start([job, { ...job }])).rejects.toThrow('two background jobs are named twice');
  });

  it('runs an exclusive job in one of two schedulers, and hands it over when that one stops', async () => {
    const name = uniqueName('job');
    const r = recorder(30);
    const [a, b] = [scheduler(), scheduler()];
    // A long lease: the holder changes only because it stops, never because a loaded machine stalled it.
    const job = (s: JobScheduler): JobDefinition => ({
      name,
      everyMs: 15,
      leaseMs: 30_000,
      run: r.run(s.holder),
    });
    await a.start([job(a)]);
    await b.start([job(b)]);
    await poll(() => finished(r.runs).length).toBeGreaterThanOrEqual(6);
    const first = r.runs[0]!.by;
    const [holder, other] = first === a.holder ? [a, b] : [b, a];
    await holder.stop();
    expect(new Set(r.runs.map((run) => run.by))).toEqual(new Set([first]));
    await poll(() => finished(r.runs).filter((run) => run.by === other.holder).length).toBeGreaterThanOrEqual(
      2,
    );
    await other.stop();
    expect(r.maxRunning()).toBe(1);
    expectNoOverlap(r.runs);
  });

  it('aborts a run whose lease another process took', async () => {
    const name = uniqueName('job');
    const seen = { started: false, aborted: false };
    const s = scheduler();
    await s.start([
      {
        name,
        everyMs: 60_000,
        leaseMs: 300,
        runAtStart: true,
        run: async (signal) => {
          seen.started = true;
          await sleep(20_000, undefined, { signal }).catch(() => undefined);
          seen.aborted = signal.aborted;
        },
      },
    ]);
    await poll(() => seen.started).toBe(true);
    // What a process that took the lease over (after this one stalled past it) leaves in the row.
    await sql`update ${sql.id(schema, 'job_leases')} set holder = 'intruder',
      expires_at = now() + interval '1 hour' where name = ${name}`.execute(db.forSchema(schema));
    await poll(() => seen.aborted).toBe(true);
    await s.stop();
    expect(await leaseRows(name)).toEqual([{ holder: 'intruder' }]);
  });
});

describe(`job leases (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let leases: JobLeases;
  const schema = uniqueName('t_leases');

  beforeAll(async () => {
    db = await testDatabase();
    leases = await JobLeases.open(db, schema);
  });
  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('lets one holder take a lease and renew it, and no one else until it expires', async () => {
    const name = uniqueName('lease');
    const renewed = performance.now();
    expect(await leases.acquire(name, 'a', 500)).toBe(true);
    expect(await leases.acquire(name, 'b', 500)).toBe(false);
    expect(await leases.acquire(name, 'a', 500)).toBe(true);
    await poll(() => leases.acquire(name, 'b', 60_000)).toBe(true);
    // The last renewal by a lasted 500 ms from no earlier than `renewed`; a little slack for clock reads.
    expect(performance.now() - renewed).toBeGreaterThanOrEqual(450);
    expect(await leases.acquire(name, 'a', 500)).toBe(false);
  });

  it('takes two concurrent claims on a free lease as one winner', async () => {
    const name = uniqueName('lease');
    const wins = await Promise.all(['a', 'b', 'c', 'd'].map((h) => leases.acquire(name, h, 60_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('is released only by its holder, and is free at once after that', async () => {
    const name = uniqueName('lease');
    expect(await leases.acquire(name, 'a', 60_000)).toBe(true);
    await leases.release(name, 'b');
    expect(await leases.acquire(name, 'b', 60_000)).toBe(false);
    await leases.release(name, 'a');
    expect(await leases.acquire(name, 'b', 60_000)).toBe(true);
  });
});
