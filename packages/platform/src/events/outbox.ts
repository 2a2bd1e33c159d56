import { sql, type Kysely, type Generated } from 'kysely';
import type { Migration } from '../sql/database.ts';
import type { DomainEvent } from './event.ts';

/** The tables every service schema gets for integration events. */
export interface OutboxTables {
  outbox: {
    seq: Generated<number>;
    id: string;
    type: string;
    subject: string;
    payload: unknown;
    occurred_at: string;
    published_at: string | null;
    claimed_until: string | null;
  };
  processed_events: {
    consumer: string;
    event_id: string;
    processed_at: Generated<string>;
  };
}

export const eventTablesMigration: Migration = {
  id: '0000_event_tables',
  sql: `
    create table outbox (
      seq bigserial primary key,
      id uuid not null unique,
      type text not null,
      subject text not null,
      payload jsonb not null,
      occurred_at timestamptz not null,
      published_at timestamptz,
      claimed_until timestamptz
    );
    create index outbox_unpublished on outbox (seq) where published_at is null;
    create table processed_events (
      consumer text not null,
      event_id uuid not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    );
  `,
};

/** Any service's Kysely handle or transaction; its schema is expected to hold the event tables. */
export interface SchemaHandle {
  readonly selectFrom: unknown;
  readonly insertInto: unknown;
}

const asOutbox = (db: SchemaHandle) => db as unknown as Kysely<OutboxTables>;

/** Writes events in the caller's transaction, so they exist if and only if the change commits. */
export async function writeEvents(trx: SchemaHandle, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await asOutbox(trx)
    .insertInto('outbox')
    .values(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        subject: e.subject,
        payload: JSON.stringify(e.data),
        occurred_at: e.occurredAt,
        published_at: null,
        claimed_until: null,
      })),
    )
    .execute();
}

/**
 * Claims a batch of unpublished events for `leaseMs`. The claim is one short statement, not a transaction
 * held while publishing: on PGlite (one connection) an in-process consumer must be able to write while
 * the relay publishes, and on PostgreSQL two relays of the same service never publish the same batch.
 */
export async function claimBatch(db: SchemaHandle, limit: number, leaseMs: number): Promise<DomainEvent[]> {
  const rows = await asOutbox(db)
    .updateTable('outbox')
    .set({ claimed_until: sql<string>`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('seq', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('seq')
        .where('published_at', 'is', null)
        .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', sql<string>`now()`)]))
        .orderBy('seq')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['seq', 'id', 'type', 'subject', 'payload', 'occurred_at'])
    .execute();
  return rows
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((r) => ({
      id: r.id,
      type: r.type,
      subject: r.subject,
      data: r.payload,
      occurredAt: new Date(r.occurred_at).toISOString(),
    }));
}

export async function markPublished(db: SchemaHandle, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await asOutbox(db)
    .updateTable('outbox')
    .set({ published_at: sql<string>`now()`, claimed_until: null })
    .where('id', 'in', ids)
    .execute();
}

/** Gives claimed events back at once (a publish failed), instead of waiting for the lease to expire. */
export async function releaseClaims(db: SchemaHandle, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await asOutbox(db)
    .updateTable('outbox')
    .set({ claimed_until: null })
    .where('id', 'in', ids)
    .where('published_at', 'is', null)
    .execute();
}

export async function countUnpublished(db: SchemaHandle): Promise<number> {
  const row = await asOutbox(db)
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Runs `apply` at most once per (consumer, event id): the marker row and the effect commit together, so
 * a redelivered or republished event is dropped.
 */
export async function handleOnce<DB>(
  db: Kysely<DB>,
  consumer: string,
  event: DomainEvent,
  apply: (trx: Kysely<DB>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const marker = await asOutbox(trx as unknown as SchemaHandle)
      .insertInto('processed_events')
      .values({ consumer, event_id: event.id })
      .onConflict((oc) => oc.doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!marker) return false;
    await apply(trx);
    return true;
  });
}
