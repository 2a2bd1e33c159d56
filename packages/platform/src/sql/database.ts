import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGlitePool } from './pglite-pool.ts';

export interface Migration {
  /** Sorted lexically; by convention `0001_init`. */
  id: string;
  sql: string;
}

/**
 * One SQL database for the whole process: a real PostgreSQL pool when DATABASE_URL is set, PGlite
 * otherwise. Each service reaches it through `forSchema`, which scopes every query to the schema it owns.
 */
export interface SqlDatabase {
  readonly backend: 'postgres' | 'pglite';
  forSchema<DB>(schema: string): Kysely<DB>;
  migrate(schema: string, migrations: Migration[]): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Counts and sums come back as int8/numeric; every amount we store fits a double exactly (< 2^53).
pg.types.setTypeParser(INT8_OID, (v) => Number(v));
pg.types.setTypeParser(NUMERIC_OID, (v) => Number(v));

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** PGlite in memory instead of on disk: for tests. */
  inMemory?: boolean;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<SqlDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    await verifyConnection(pool, options.databaseUrl);
    return new KyselyDatabase('postgres', pool);
  }
  let dataDir: string | undefined;
  if (!options.inMemory) {
    dataDir = join(options.dataDir, 'pglite');
    await mkdir(dataDir, { recursive: true });
  }
  const lite = await PGlite.create({
    dataDir,
    parsers: { [INT8_OID]: (v: string) => Number(v), [NUMERIC_OID]: (v: string) => Number(v) },
  });
  return new KyselyDatabase('pglite', new PGlitePool(lite));
}

async function verifyConnection(pool: pg.Pool, url: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const where = new URL(url);
    where.password = '';
    throw new Error(
      `cannot connect to DATABASE_URL (${where.host}${where.pathname}): ${(error as Error).message}`,
    );
  }
}

class KyselyDatabase implements SqlDatabase {
  private readonly root: Kysely<Record<string, never>>;

  constructor(
    readonly backend: 'postgres' | 'pglite',
    private readonly pool: PostgresPool,
  ) {
    this.root = new Kysely({ dialect: new PostgresDialect({ pool }) });
  }

  forSchema<DB>(schema: string): Kysely<DB> {
    return this.root.withSchema(schema) as unknown as Kysely<DB>;
  }

  /**
   * Forward-only migrations, each applied once. The advisory lock makes two processes starting at the
   * same moment take turns; the whole run is one transaction, so a failed migration leaves nothing behind.
   */
  async migrate(schema: string, migrations: Migration[]): Promise<string[]> {
    const ordered = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
    return this.root.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`migrate:${schema}`}))`.execute(trx);
      await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
      await sql`create table if not exists ${sql.id(schema, 'schema_migrations')} (
        id text primary key, applied_at timestamptz not null default now())`.execute(trx);
      const done = await sql<{ id: string }>`select id from ${sql.id(schema, 'schema_migrations')}`.execute(
        trx,
      );
      const applied = new Set(done.rows.map((r) => r.id));
      const newlyApplied: string[] = [];
      for (const migration of ordered) {
        if (applied.has(migration.id)) continue;
        await sql`set local search_path to ${sql.id(schema)}, public`.execute(trx);
        await sql.raw(migration.sql).execute(trx);
        await sql`insert into ${sql.id(schema, 'schema_migrations')} (id) values (${migration.id})`.execute(
          trx,
        );
        newlyApplied.push(migration.id);
      }
      return newlyApplied;
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.root);
  }

  async close(): Promise<void> {
    await this.root.destroy();
  }
}
