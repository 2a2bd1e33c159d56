import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Migration } from '../sql/database.ts';
import type { WorkflowStateStore } from './runner.ts';
import { DONE, type WorkflowRun } from './workflow.ts';

/** The runs table, added to a service's own migrations (as `eventTablesMigration` is). */
export const workflowRunsMigration: Migration = {
  id: '0000_workflow_runs',
  sql: `
    create table workflow_runs (
      id text primary key,
      workflow text not null,
      position text not null,
      state jsonb not null,
      failures integer not null default 0,
      locked_until timestamptz,
      next_attempt_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index workflow_runs_unfinished on workflow_runs (workflow, created_at) where position <> 'done';
  `,
};

export interface WorkflowRunsTables {
  workflow_runs: {
    id: string;
    workflow: string;
    position: string;
    state: unknown;
    failures: Generated<number>;
    locked_until: string | null;
    next_attempt_at: string | null;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
}

type RunRow = Selectable<WorkflowRunsTables['workflow_runs']>;
type JsonObject = Record<string, unknown>;

const after = (ms: number) => sql<string>`now() + ${`${ms} milliseconds`}::interval`;

/**
 * Runs of one workflow in the owning service's schema, the state a JSON object that each step's patch is
 * merged into. For a workflow whose state has no table of its own yet.
 */
export class SqlWorkflowStore<S extends JsonObject> implements WorkflowStateStore<S, Partial<S>> {
  constructor(
    private readonly db: Kysely<WorkflowRunsTables>,
    private readonly workflow: string,
  ) {}

  /** Creates a run holding its lease, so the creator drives it first; an existing id is left as it is. */
  async start(id: string, position: string, state: S, leaseMs: number): Promise<WorkflowRun<S> | undefined> {
    const row = await this.db
      .insertInto('workflow_runs')
      .values({
        id,
        workflow: this.workflow,
        position,
        state: JSON.stringify(state),
        locked_until: after(leaseMs),
        next_attempt_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && this.toRun(row);
  }

  async claim(id: string, options: { leaseMs: number; wake: boolean }) {
    const row = await this.db
      .updateTable('workflow_runs')
      .set({ locked_until: after(options.leaseMs) })
      .where('id', '=', id)
      .where('workflow', '=', this.workflow)
      .where('position', '<>', DONE)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<string>`now()`)]))
      .$if(!options.wake, (q) =>
        q.where((eb) =>
          eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<string>`now()`)]),
        ),
      )
      .returningAll()
      .executeTakeFirst();
    return row && this.toRun(row);
  }

  async advance(run: WorkflowRun<S>, to: string, patch: Partial<S> | undefined, leaseMs: number) {
    const row = await this.db
      .updateTable('workflow_runs')
      .set({
        position: to,
        state: sql`state || ${JSON.stringify(patch ?? {})}::jsonb`,
        failures: 0,
        locked_until: to === DONE ? null : after(leaseMs),
        next_attempt_at: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', run.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toRun(row);
  }

  async park(run: WorkflowRun<S>, retryMs: number) {
    await this.db
      .updateTable('workflow_runs')
      .set({ locked_until: null, next_attempt_at: after(retryMs), failures: sql`failures + 1` })
      .where('id', '=', run.id)
      .execute();
  }

  async load(id: string) {
    const row = await this.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', id)
      .where('workflow', '=', this.workflow)
      .executeTakeFirst();
    return row && this.toRun(row);
  }

  async due(limit: number) {
    const rows = await this.db
      .selectFrom('workflow_runs')
      .select('id')
      .where('workflow', '=', this.workflow)
      .where('position', '<>', DONE)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<string>`now()`)]))
      .where((eb) =>
        eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<string>`now()`)]),
      )
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The next attempt of a parked run, in milliseconds from now by the database's clock. */
  async retryInMs(id: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('workflow_runs')
      .select(sql<number>`extract(epoch from (next_attempt_at - now())) * 1000`.as('ms'))
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.ms === null || row?.ms === undefined ? undefined : Number(row.ms);
  }

  private toRun(row: RunRow): WorkflowRun<S> {
    return { id: row.id, position: row.position, failures: row.failures, state: row.state as S };
  }
}
