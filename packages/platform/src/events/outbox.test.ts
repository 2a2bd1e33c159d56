import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { testBus, testDatabase, testUrls, uniqueName } from '../testing.ts';
import type { EventBus } from './bus.ts';
import { createEvent, type DomainEvent } from './event.ts';
import {
  countUnpublished,
  eventTablesMigration,
  handleOnce,
  writeEvents,
  type OutboxTables,
} from './outbox.ts';
import { OutboxRelay } from './relay.ts';

interface TestTables extends OutboxTables {
  applied: { event_id: string; n: number };
}

/** Publishes, then sometimes dies before the relay can record it: the window where duplicates are born. */
class CrashingBus implements EventBus {
  readonly backend = 'memory' as const;
  crashes = 0;
  constructor(
    private readonly inner: EventBus,
    private readonly crashProbability: number,
  ) {}
  async publish(event: DomainEvent) {
    await this.inner.publish(event);
    if (Math.random() < this.crashProbability) {
      this.crashes++;
      throw new Error('relay process killed');
    }
  }
  subscribe: EventBus['subscribe'] = (...args) => this.inner.subscribe(...args);
  ping = () => this.inner.ping();
  close = () => this.inner.close();
}

const until = async (condition: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe(`outbox and relay (${testUrls.database ? 'PostgreSQL' : 'PGlite'} + ${testUrls.nats ? 'JetStream' : 'in-process bus'})`, () => {
  const schema = uniqueName('t_outbox');
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let db: Kysely<TestTables>;
  let bus: EventBus;

  beforeAll(async () => {
    database = await testDatabase();
    await database.migrate(schema, [
      eventTablesMigration,
      { id: '0001_applied', sql: 'create table applied (event_id uuid not null, n int not null)' },
    ]);
    db = database.forSchema<TestTables>(schema);
    bus = await testBus({ ackWaitMs: 2_000 });
  });
  afterAll(async () => {
    await bus.close();
    await database.dropSchemas(schema);
    await database.close();
  });

  it('delivers 10,000 events exactly once to an idempotent consumer while the relay is killed and restarted', async () => {
    const subscription = await bus.subscribe('exactly-once', ['test.>'], (event) =>
      handleOnce(db, 'exactly-once', event, async (trx) => {
        await trx
          .insertInto('applied')
          .values({ event_id: event.id, n: (event.data as { n: number }).n })
          .execute();
      }).then(() => undefined),
    );
    const crashingBus = new CrashingBus(bus, 0.002);
    let relay = new OutboxRelay(db, crashingBus, { batchSize: 100, idleMs: 10, leaseMs: 300 });
    relay.start();

    const total = 10_000;
    const rolledBack = new Set<string>();
    let written = 0;
    let restarts = 0;
    while (written < total) {
      const size = Math.min(total - written, 1 + Math.floor(Math.random() * 20));
      const events = Array.from({ length: size }, (_, i) =>
        createEvent('test.item.created', 'item', { n: written + i }),
      );
      await db.transaction().execute((trx) => writeEvents(trx, events));
      written += size;
      if (Math.random() < 0.05) {
        const doomed = createEvent('test.item.created', 'item', { n: -1 });
        rolledBack.add(doomed.id);
        await db
          .transaction()
          .execute(async (trx) => {
            await writeEvents(trx, [doomed]);
            throw new Error('business rule failed');
          })
          .catch(() => undefined);
      }
      if (Math.random() < 0.01) {
        // Kill: the old relay is abandoned mid-flight (its claims expire), a new one starts.
        void relay.stop();
        relay = new OutboxRelay(db, crashingBus, { batchSize: 100, idleMs: 10, leaseMs: 300 });
        relay.start();
        restarts++;
      }
    }

    await until(async () => (await countUnpublished(db)) === 0, 240_000);
    const countApplied = async () =>
      Number(
        (
          await db
            .selectFrom('applied')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    await until(async () => (await countApplied()) >= total, 240_000);
    await relay.stop();
    await subscription.stop();

    const rows = await db.selectFrom('applied').select(['event_id', 'n']).execute();
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.n)).size).toBe(total);
    expect(rows.some((r) => rolledBack.has(r.event_id))).toBe(false);
    expect(crashingBus.crashes).toBeGreaterThan(0);
    expect(restarts + crashingBus.crashes).toBeGreaterThan(5);
  }, 540_000);
});
