// Persistence of the `analytics` schema: the export queue and the sinks' cursors.
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import type { ExportRecord } from './records.ts';

export interface AnalyticsDB {
  export_queue: {
    seq: Generated<number>;
    event_id: string;
    record: ColumnType<ExportRecord, string, string>;
    occurred_at: string;
    received_at: Generated<string>;
  };
  export_cursor: {
    sink: string;
    position: number;
    updated_at: Generated<string>;
  };
}

export interface QueuedRecord {
  seq: number;
  record: ExportRecord;
}

export class AnalyticsStore {
  private readonly queue;
  private readonly cursors;
  private readonly lockKey: number;

  constructor(
    readonly db: Kysely<AnalyticsDB>,
    schema: string,
  ) {
    // Raw statements name their schema themselves; the query builder's are scoped by `forSchema`.
    this.queue = sql.table(`${schema}.export_queue`);
    this.cursors = sql.table(`${schema}.export_cursor`);
    this.lockKey = lockKeyOf(schema);
  }

  /**
   * Queues a record once per event id, in one statement. Its transaction-scoped lock serialises writers,
   * so sequence numbers become visible in the order they were taken: a cursor never steps over a row that
   * commits later (with concurrent inserts, seq 8 could be exported before seq 7 commits).
   */
  async enqueue(record: ExportRecord): Promise<void> {
    await sql`insert into ${this.queue} (event_id, record, occurred_at)
      select ${record.eventId}::uuid, ${JSON.stringify(record)}::jsonb, ${record.occurredAt}::timestamptz
      from (select pg_advisory_xact_lock(${this.lockKey})) as serialised
      on conflict (event_id) do nothing`.execute(this.db);
  }

  async position(sink: string): Promise<number> {
    await this.db
      .insertInto('export_cursor')
      .values({ sink, position: 0 })
      .onConflict((oc) => oc.column('sink').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('export_cursor')
      .select('position')
      .where('sink', '=', sink)
      .executeTakeFirstOrThrow();
    return Number(row.position);
  }

  async after(position: number, limit: number): Promise<QueuedRecord[]> {
    const rows = await this.db
      .selectFrom('export_queue')
      .select(['seq', 'record'])
      .where('seq', '>', position)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), record: r.record }));
  }

  /** Moves the cursor forward only: an exporter that lost its lease cannot move it back. */
  async commit(sink: string, position: number): Promise<void> {
    await this.db
      .updateTable('export_cursor')
      .set({ position, updated_at: sql<string>`now()` })
      .where('sink', '=', sink)
      .where('position', '<', position)
      .execute();
  }

  /** Drops events every sink has and that are older than the retention. */
  async prune(retentionHours: number): Promise<void> {
    await sql`delete from ${this.queue} where seq <= (select coalesce(min(position), 0) from ${this.cursors})
      and received_at < now() - make_interval(hours => ${retentionHours})`.execute(this.db);
  }

  async pending(sink: string): Promise<{ pending: number; oldest?: string }> {
    const position = await this.position(sink);
    const row = await this.db
      .selectFrom('export_queue')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('occurred_at').as('oldest')])
      .where('seq', '>', position)
      .executeTakeFirstOrThrow();
    return { pending: Number(row.n), ...(row.oldest ? { oldest: new Date(row.oldest).toISOString() } : {}) };
  }
}

/** A stable 32-bit advisory lock key per schema, so two suites' queues never wait for each other. */
function lockKeyOf(schema: string): number {
  let h = 0;
  for (const c of `analytics-export:${schema}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}
