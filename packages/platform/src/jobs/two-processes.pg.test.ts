/**
 * Two processes on the real PostgreSQL run the same exclusive job: its runs never overlap and come from
 * one of them; killed with SIGKILL (no release), the holder's lease expires and the other takes over.
 * Runs when DATABASE_URL is set (see vitest.config.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { testDatabase, uniqueName } from '../testing.ts';

const script = fileURLToPath(new URL('../../scripts/exclusive-job-node.ts', import.meta.url));
const schema = uniqueName('t_jobs_2p');
const job = { name: 'two-processes', everyMs: 200, leaseMs: 3_000, runMs: 100 };
// What a loaded two-core machine may add to any wait below.
const slackMs = 10_000;

interface Node {
  child: ChildProcess;
  holder: string;
}

interface RunRow {
  holder: string;
  started: number;
  ended: number | null;
}

function startNode(): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      JOB_SCHEMA: schema,
      JOB_NAME: job.name,
      JOB_EVERY_MS: String(job.everyMs),
      JOB_LEASE_MS: String(job.leaseMs),
      JOB_RUN_MS: String(job.runMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) resolve({ child, holder: ready[1] });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`job node exited with ${code}: ${output.slice(-2000)}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });

/** Each run's start and end on one clock, in order of start; ended is null for a run cut by a kill. */
function expectOneAtATime(runs: RunRow[], killedAt = Infinity): void {
  for (let i = 1; i < runs.length; i++)
    expect(runs[i]!.started).toBeGreaterThanOrEqual(runs[i - 1]!.ended ?? killedAt);
}

describe('an exclusive job in two processes on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const nodes: Node[] = [];

  const runs = async () =>
    (
      await sql<RunRow>`select holder, extract(epoch from started_at) * 1000 as started,
        extract(epoch from ended_at) * 1000 as ended
        from ${sql.id(schema, 'job_runs')} order by started_at`.execute(db.forSchema(schema))
    ).rows;
  const lease = async () =>
    (
      await sql<{ holder: string; expires: number; now: number }>`select holder,
        extract(epoch from expires_at) * 1000 as expires, extract(epoch from clock_timestamp()) * 1000 as now
        from ${sql.id(schema, 'job_leases')} where name = ${job.name}`.execute(db.forSchema(schema))
    ).rows[0];

  beforeAll(async () => {
    db = await testDatabase();
    nodes.push(...(await Promise.all([startNode(), startNode()])));
  }, 90_000);
  afterAll(async () => {
    for (const { child } of nodes)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => exited(n.child)));
    await db.dropSchemas(schema);
    await db.close();
  });

  it('runs in one process at a time, and in the other within the lease after the first is killed', async () => {
    await expect
      .poll(async () => (await runs()).filter((r) => r.ended !== null).length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(10);
    const before = await runs();
    expect(new Set(before.map((r) => r.holder)).size).toBe(1);
    expectOneAtATime(before);

    const holder = nodes.find((n) => n.holder === before[0]!.holder)!;
    const survivor = nodes.find((n) => n !== holder)!;
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    // Killed, the holder released nothing: the row still names it until it expires.
    const left = (await lease())!;
    expect(left.holder).toBe(holder.holder);

    await expect
      .poll(
        async () => (await runs()).filter((r) => r.holder === survivor.holder && r.ended !== null).length,
        {
          timeout: job.leaseMs + slackMs,
        },
      )
      .toBeGreaterThanOrEqual(3);
    const after = await runs();
    const firstTaken = after.find((r) => r.holder === survivor.holder)!;
    // Not before the lease expired, and at the first tick of the survivor after it did.
    expect(firstTaken.started).toBeGreaterThan(left.expires);
    expect(firstTaken.started - left.expires).toBeLessThan(job.everyMs + slackMs);
    expect(firstTaken.started - left.now).toBeLessThan(job.leaseMs + job.everyMs + slackMs);
    // The killed holder's runs, then the survivor's, never two at once.
    const holders = after.map((r) => r.holder);
    expect(holders).toEqual([
      ...holders.filter((h) => h === holder.holder),
      ...holders.filter((h) => h === survivor.holder),
    ]);
    expectOneAtATime(after, left.now);

    survivor.child.kill('SIGTERM');
    expect(await exited(survivor.child)).toBe(0);
    expect(await lease()).toBeUndefined();
  }, 90_000);
});
