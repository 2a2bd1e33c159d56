import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];

function commandOf(sql: string): Command {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  const known: Command[] = ['UPDATE', 'DELETE', 'INSERT', 'SELECT', 'MERGE', 'COMMIT', 'ROLLBACK'];
  return known.includes(word as Command) ? (word as Command) : 'SELECT';
}

/**
 * Presents one PGlite instance as a pg-style pool so Kysely's PostgresDialect drives both backends.
 * PGlite is a single connection: a client is lent to one holder at a time, otherwise two transactions
 * would interleave their statements on the same session.
 */
export class PGlitePool implements PostgresPool {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly pg: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => released);
    await previous;
    const pg = this.pg;
    let done = false;
    const client = {
      async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        // Without parameters the text may be a multi-statement script (migrations): exec runs those.
        const result =
          parameters.length === 0 ? (await pg.exec(sql)).at(-1) : await pg.query<R>(sql, [...parameters]);
        const rows = (result?.rows ?? []) as R[];
        return { command: commandOf(sql), rowCount: result?.affectedRows ?? rows.length, rows };
      },
      release() {
        if (done) return;
        done = true;
        release();
      },
    };
    return client as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.tail;
    await this.pg.close();
  }
}
