import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testDatabase, testUrls, uniqueName } from '../testing.ts';
import { openDatabase } from './database.ts';

describe(`SQL database (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const schema = uniqueName('t_sql');
  const migrations = [
    {
      id: '0001_items',
      sql: 'create table items (id int primary key, name text not null); create index on items (name);',
    },
    { id: '0002_price', sql: 'alter table items add column price int not null default 0;' },
  ];

  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('applies migrations once, in order, and is safe to run again and concurrently', async () => {
    const runs = await Promise.all([db.migrate(schema, migrations), db.migrate(schema, migrations)]);
    expect(runs.flat().sort()).toEqual(['0001_items', '0002_price']);
    expect(await db.migrate(schema, migrations)).toEqual([]);
    interface Items {
      items: { id: number; name: string; price: number };
    }
    const items = db.forSchema<Items>(schema);
    await items.insertInto('items').values({ id: 1, name: 'lamp', price: 1999 }).execute();
    const count = await items
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  it('rolls back a failing migration completely', async () => {
    const broken = [
      ...migrations,
      { id: '0003_broken', sql: 'create table extra (id int); select no_such_function();' },
    ];
    await expect(db.migrate(schema, broken)).rejects.toThrow();
    const tables = await sql<{ n: number }>`select count(*) as n from information_schema.tables
      where table_schema = ${schema} and table_name = 'extra'`.execute(db.forSchema(schema));
    expect(tables.rows[0]?.n).toBe(0);
  });

  it('keeps concurrent transactions isolated', async () => {
    interface Items {
      items: { id: number; name: string; price: number };
    }
    const items = db.forSchema<Items>(schema);
    const failing = items.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 2, name: 'rolled back', price: 1 }).execute();
      throw new Error('abort');
    });
    const succeeding = items.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 3, name: 'kept', price: 1 }).execute();
    });
    await expect(failing).rejects.toThrow('abort');
    await succeeding;
    const ids = (await items.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual([1, 3]);
  });
});

describe('SQL configuration', () => {
  it('names the variable when the PostgreSQL server cannot be reached', async () => {
    await expect(
      openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: '' }),
    ).rejects.toThrow(/DATABASE_URL/);
  });
});
