import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestFingerprint, type IdempotencyStore } from './idempotency.ts';
import { PROBLEM_TYPE, problem, sendProblem } from './problem.ts';
import type { Sleeper } from './sleeper.ts';

export interface Outcome {
  statusCode: number;
  body: unknown;
  /** Whether a retry with the same key must get this answer back (false: nothing was done, retry acts). */
  store: boolean;
  /** Hold the HTTP answer this long after acting (simulated gateway timeout). */
  holdMs?: number;
}

export interface ActContext {
  idempotencyKey: string | undefined;
}

export type Act = (ctx: ActContext) => Outcome;

const MAX_KEY_LENGTH = 255;

/**
 * Runs a POST under Stripe's idempotency rules: the first request with a key acts and its answer is stored;
 * a later (or concurrent, it waits for the key) request with the same key and body gets that answer
 * back with `Idempotent-Replayed: true`; the same key with another body is a 422. The simulated hang
 * happens after the key is released, so a client retrying a timed-out request gets the stored answer at
 * once instead of queueing behind the hung one.
 */
export function createExecutor(
  store: IdempotencyStore,
  sleeper: Sleeper,
  processingDelay: () => Promise<void>,
  /** Makes what a request did durable before it is answered (the state file); nothing when in memory. */
  persist: () => Promise<void> = async () => undefined,
) {
  // Acting and storing the answer happen with no await in between, so the state file never records what a
  // request did without the answer a retry must get back.
  const actAfterDelay = async (act: Act, key?: { key: string; fingerprint: string }): Promise<Outcome> => {
    await processingDelay();
    const fresh = act({ idempotencyKey: key?.key });
    if (key && fresh.store)
      store.store(key.key, key.fingerprint, { statusCode: fresh.statusCode, body: fresh.body });
    return fresh;
  };

  // The key is held while the "gateway" processes, as a real one holds it while the card network answers.
  const actOnce = (key: string, fingerprint: string, act: Act) =>
    store.withKey(key, async () => {
      const found = store.lookup(key, fingerprint);
      if (found.kind === 'replay') return { outcome: { ...found.response, store: false }, replayed: true };
      if (found.kind === 'mismatch') return { outcome: keyReuse(key), replayed: false };
      return { outcome: await actAfterDelay(act, { key, fingerprint }), replayed: false };
    });

  return async function execute(
    request: FastifyRequest,
    reply: FastifyReply,
    act: Act,
  ): Promise<FastifyReply> {
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
      const detail = `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters, sent once.`;
      return sendProblem(reply, problem(400, 'invalid_idempotency_key', detail));
    }
    const path = request.url.split('?')[0] ?? request.url;
    const { outcome, replayed } =
      key === undefined
        ? { outcome: await actAfterDelay(act), replayed: false }
        : await actOnce(key, requestFingerprint(request.method, path, request.body), act);
    // An answer the client received must survive a restart, as at a real gateway. A replay waits too: the
    // twin it repeats may not be on disk yet (a commit with nothing new to write costs nothing).
    await persist();
    if (outcome.holdMs) await sleeper.sleep(outcome.holdMs);
    if (replayed) reply.header('idempotent-replayed', 'true');
    if (outcome.statusCode >= 400) reply.type(PROBLEM_TYPE);
    return reply.code(outcome.statusCode).send(outcome.body);
  };
}

function keyReuse(key: string): Outcome {
  return {
    statusCode: 422,
    store: false,
    body: problem(
      422,
      'idempotency_key_reuse',
      `Idempotency-Key ${JSON.stringify(key)} was already used with different parameters or another endpoint.`,
    ),
  };
}
