import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, testDatabase, testUrls, uniqueName } from '../testing.ts';
import { newId } from '../ids.ts';
import { backoffMs, WorkflowRunner, type WorkflowRunnerOptions } from './runner.ts';
import { SqlWorkflowStore, workflowRunsMigration, type WorkflowRunsTables } from './sql-store.ts';
import { defineTransitions, TransitionError } from './transitions.ts';
import { createStep, defineWorkflow, DONE, fail, next, type Step } from './workflow.ts';

type State = { total?: number; failedAt?: string };
type Patch = Partial<State>;

/** A step that records its calls and those of its compensation in one shared journal. */
const recorded = (journal: string[], name: string, invoke?: Step<State, Patch>['invoke']) =>
  createStep<State, Patch>(
    name,
    async (run) => {
      journal.push(name);
      return invoke ? invoke(run) : next({ total: (run.state.total ?? 0) + 1 });
    },
    async () => {
      journal.push(`undo ${name}`);
    },
  );

const forever = () => new Promise<void>(() => undefined);

describe(`workflow runner (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const schema = uniqueName('t_wf');
  const options = (extra: Partial<WorkflowRunnerOptions> = {}): WorkflowRunnerOptions => ({
    leaseMs: 30_000,
    retry: { baseMs: 1_000, maxMs: 4_000 },
    logger: silentLogger(),
    ...extra,
  });
  /** A workflow of three recorded steps (b's behaviour chosen by the test) and its store and runner. */
  function setup(b?: Step<State, Patch>['invoke'], extra: Partial<WorkflowRunnerOptions> = {}) {
    const journal: string[] = [];
    const workflow = defineWorkflow<State, Patch>({
      name: uniqueName('wf'),
      steps: [recorded(journal, 'a'), recorded(journal, 'b', b), recorded(journal, 'c')],
    });
    const store = new SqlWorkflowStore<State>(db.forSchema<WorkflowRunsTables>(schema), workflow.name);
    const runner = new WorkflowRunner(workflow, store, options(extra));
    const start = async (leaseMs = 30_000) => {
      const run = await store.start(newId(), workflow.first, {}, leaseMs);
      if (!run) throw new Error('run not created');
      return run;
    };
    return {
      journal,
      workflow,
      store,
      runner,
      start,
      runnerWith: (o: Partial<WorkflowRunnerOptions>) => new WorkflowRunner(workflow, store, options(o)),
    };
  }

  beforeAll(async () => {
    db = await testDatabase();
    await db.migrate(schema, [workflowRunsMigration]);
  });
  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('runs every step in order, persisting each patch with the step', async () => {
    const { journal, runner, start, store } = setup();
    const run = await start();
    const done = await runner.drive(run.id, { run });
    expect(journal).toEqual(['a', 'b', 'c']);
    expect(done).toMatchObject({ position: DONE, state: { total: 3 } });
    expect(await store.load(run.id)).toMatchObject({ position: DONE, failures: 0, state: { total: 3 } });
    // A finished run gives its lease up and is not due any more.
    expect(await store.due(1000)).not.toContain(run.id);
  });

  it('undoes the earlier steps latest first on a permanent failure, not the failing one', async () => {
    const { journal, runner, start } = setup(async () => fail({ failedAt: 'b' }));
    const run = await start();
    const done = await runner.drive(run.id, { run });
    expect(journal).toEqual(['a', 'b', 'undo a']);
    expect(done).toMatchObject({ position: DONE, state: { total: 1, failedAt: 'b' } });
  });

  it('undoes the failing step too when it asks (its effect may have happened)', async () => {
    const { journal, runner, start } = setup(async () => fail({}, { undoThis: true }));
    const run = await start();
    await runner.drive(run.id, { run });
    expect(journal).toEqual(['a', 'b', 'undo b', 'undo a']);
  });

  it('undoes a whole finished workflow from its last compensation', async () => {
    const journal: string[] = [];
    const workflow = defineWorkflow<State, Patch>({
      name: uniqueName('wf'),
      steps: [recorded(journal, 'a'), createStep('plain', async () => next()), recorded(journal, 'c')],
    });
    expect(workflow.undoAll).toBe('c:undo');
    const store = new SqlWorkflowStore<State>(db.forSchema<WorkflowRunsTables>(schema), workflow.name);
    const run = await store.start(newId(), workflow.undoAll, {}, 30_000);
    await new WorkflowRunner(workflow, store, options()).drive(run!.id, { run });
    // A step without a compensation is skipped on the way back.
    expect(journal).toEqual(['undo c', 'undo a']);
  });

  it('parks a step that fails transiently, retries with a doubling pause up to the cap, then goes on', async () => {
    let outages = 4;
    const { journal, runner, start, store } = setup(async () => {
      if (outages-- > 0) throw new Error('gateway down');
      return next();
    });
    const run = await start();
    const pauses: number[] = [];
    await runner.drive(run.id, { run });
    for (let attempt = 0; attempt < 4; attempt++) {
      const parked = await store.load(run.id);
      expect(parked).toMatchObject({ position: 'b', failures: attempt + 1 });
      pauses.push(Math.round(((await store.retryInMs(run.id)) ?? 0) / 1000));
      // Not due yet: the recovery pass leaves it; a wake-up (an external event) takes it at once.
      expect(await store.due(1000)).not.toContain(run.id);
      await runner.wake(run.id);
    }
    expect(pauses).toEqual([1, 2, 4, 4]);
    expect(journal).toEqual(['a', 'b', 'b', 'b', 'b', 'b', 'c']);
    expect(await store.load(run.id)).toMatchObject({ position: DONE, failures: 0 });
  });

  it('computes the backoff from the failures in a row, capped', () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 50].map((n) => backoffMs(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    // A cap below the base keeps the base: the configured first pause is never shortened.
    expect(backoffMs({ baseMs: 60_000, maxMs: 1_000 }, 3)).toBe(60_000);
  });

  it.each(['before:b', 'after:b'])(
    'resumes a run whose driver died at %s from its persisted step',
    async (point) => {
      const { journal, start, runnerWith, store } = setup();
      let died!: () => void;
      const dead = new Promise<void>((r) => (died = r));
      const doomed = runnerWith({
        leaseMs: 200,
        hook: (p) => (p === point ? (died(), forever()) : undefined),
      });
      const run = await start(200);
      void doomed.drive(run.id, { run });
      await dead;
      // Its lease is live: nobody else may take the run yet.
      const survivor = runnerWith({});
      expect(await survivor.drive(run.id)).toMatchObject({ position: 'b' });
      await expect
        .poll(async () => (await survivor.recover(1000), (await store.load(run.id))?.position), {
          timeout: 5_000,
          interval: 50,
        })
        .toBe(DONE);
      // 'a' was persisted and is not run again; 'b' runs again when the crash came after its effect.
      expect(journal).toEqual(point === 'before:b' ? ['a', 'b', 'c'] : ['a', 'b', 'b', 'c']);
    },
  );

  it('lets only one of two drivers run a step: the lease decides, a wake-up too', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inB = 0;
    const { journal, runner, store, start } = setup(async () => {
      inB++;
      await gate;
      return next();
    });
    const run = await start(-1_000);
    // Two drivers race for a run whose lease is free (a new run whose creator went away).
    const [first, second] = [runner.drive(run.id), runner.wake(run.id)];
    await expect.poll(() => inB).toBe(1);
    // The loser answers at once with the run as it stood when it looked ('a' or already 'b'), while the
    // winner still holds it at 'b'.
    expect(['a', 'b']).toContain((await Promise.race([first, second]))?.position);
    release();
    await Promise.all([first, second]);
    expect(inB).toBe(1);
    expect(journal).toEqual(['a', 'b', 'c']);
    expect((await store.load(run.id))?.position).toBe(DONE);
  });

  it('declares its recovery pass as a job that drives the due runs', async () => {
    const { journal, runner, start, store } = setup();
    // A lease that lapsed a second ago: due whatever the clocks' resolution (0 ms raced the query).
    const run = await start(-1_000);
    const job = runner.recoveryJob({ name: 'wf.recovery', everyMs: 1_000 });
    expect(job).toMatchObject({ name: 'wf.recovery', everyMs: 1_000, runAtStart: true });
    await job.run(new AbortController().signal);
    expect(journal).toEqual(['a', 'b', 'c']);
    expect((await store.load(run.id))?.position).toBe(DONE);
  });

  it('refuses a workflow that uses one name twice', () => {
    const step = createStep<State, Patch>('a', async () => next(), { name: 'a', run: async () => undefined });
    expect(() => defineWorkflow({ name: 'broken', steps: [step] })).toThrow(/used twice/);
    expect(() =>
      defineWorkflow<State, Patch>({ name: 'broken', steps: [createStep(DONE, async () => next())] }),
    ).toThrow(/used twice/);
  });
});

describe('status transitions', () => {
  const statuses = defineTransitions<'new' | 'paid' | 'refunded'>({
    new: ['paid'],
    paid: ['refunded'],
    refunded: [],
  });

  it('allows what the table lists and staying put; throws on anything else', () => {
    expect(statuses.allows('new', 'paid')).toBe(true);
    expect(statuses.allows('paid', 'paid')).toBe(true);
    expect(statuses.allows('refunded', 'paid')).toBe(false);
    expect(() => statuses.assert('new', 'refunded')).toThrow(TransitionError);
    expect(() => statuses.assert('new', 'refunded')).toThrow('new → refunded');
  });
});
