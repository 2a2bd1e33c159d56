import { sql, type Kysely } from 'kysely';
import type { Migration, SqlDatabase } from '../sql/database.ts';

export const JOB_LEASES_SCHEMA = 'platform';

const leasesMigration: Migration = {
  id: '0001_job_leases',
  sql: `create table job_leases (
    name text primary key,
    holder text not null,
    expires_at timestamptz not null
  );`,
};

/**
 * Who runs each exclusive job: one row per job, held by one process until it expires. Times are the
 * database's clock, so processes on hosts whose clocks disagree still agree on who holds a lease.
 */
export class JobLeases {
  private constructor(
    private readonly db: Kysely<Record<string, never>>,
    private readonly table: string,
  ) {}

  static async open(db: SqlDatabase, schema = JOB_LEASES_SCHEMA): Promise<JobLeases> {
    await db.migrate(schema, [leasesMigration]);
    return new JobLeases(db.forSchema(schema), schema);
  }

  /**
   * Takes the lease if it is free or expired, or renews it if `holder` has it; true when `holder` holds it
   * afterwards. One statement: the row lock of `on conflict do update` makes two takers agree on one winner.
   */
  async acquire(name: string, holder: string, leaseMs: number): Promise<boolean> {
    const { rows } = await sql<{ holder: string }>`
      insert into ${sql.id(this.table, 'job_leases')} as lease (name, holder, expires_at)
      values (${name}, ${holder}, now() + ${`${Math.ceil(leaseMs)} milliseconds`}::interval)
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where lease.expires_at < now() or lease.holder = excluded.holder
      returning holder`.execute(this.db);
    return rows[0]?.holder === holder;
  }

  /** Gives the lease up at once, so another process need not wait for it to expire; only its holder can. */
  async release(name: string, holder: string): Promise<void> {
    await sql`delete from ${sql.id(this.table, 'job_leases')}
      where name = ${name} and holder = ${holder}`.execute(this.db);
  }
}
