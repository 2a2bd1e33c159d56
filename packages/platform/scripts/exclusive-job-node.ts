// One process running one exclusive job, for src/jobs/two-processes.pg.test.ts: every run is recorded
// with this process's pid and lease holder, its start and its end, on the database's clock so that runs of
// two processes compare. Prints "READY <holder>" once its scheduler is started.
//   DATABASE_URL, JOB_SCHEMA (the lease table and the runs table), JOB_NAME, JOB_EVERY_MS, JOB_LEASE_MS,
//   JOB_RUN_MS (how long a run lasts)
import pino from 'pino';
import { sql, type Generated } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobScheduler, openDatabase } from '../src/index.ts';

interface RunsDB {
  job_runs: {
    id: Generated<number>;
    pid: number;
    holder: string;
    started_at: string;
    ended_at: string | null;
  };
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const schema = setting('JOB_SCHEMA');
const runMs = Number(setting('JOB_RUN_MS'));
const db = await openDatabase({ databaseUrl: setting('DATABASE_URL'), dataDir: '', poolSize: 3 });
await db.migrate(schema, [
  {
    id: '0001_job_runs',
    sql: `create table job_runs (id bigserial primary key, pid int not null, holder text not null,
      started_at timestamptz not null, ended_at timestamptz)`,
  },
]);
const runs = db.forSchema<RunsDB>(schema);
const scheduler = new JobScheduler({ db, logger: pino({ level: 'warn' }, pino.destination(2)), schema });

async function recordedRun(): Promise<void> {
  const { id } = await runs
    .insertInto('job_runs')
    .values({ pid: process.pid, holder: scheduler.holder, started_at: sql<string>`clock_timestamp()` })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sleep(runMs);
  await runs
    .updateTable('job_runs')
    .set({ ended_at: sql<string>`clock_timestamp()` })
    .where('id', '=', id)
    .execute();
}

await scheduler.start([
  {
    name: setting('JOB_NAME'),
    everyMs: Number(setting('JOB_EVERY_MS')),
    leaseMs: Number(setting('JOB_LEASE_MS')),
    run: recordedRun,
  },
]);
process.stdout.write(`READY ${scheduler.holder}\n`);
// The scheduler's timers do not hold a process open on purpose; this one stands in for a server's listener.
const alive = setInterval(() => undefined, 60_000);
process.once('SIGTERM', () => {
  void (async () => {
    clearInterval(alive);
    await scheduler.stop();
    await db.close();
    process.exit(0);
  })();
});
