import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile, type SandboxState } from './state-file.ts';
import { startSandbox, type RunningSandbox } from './testkit.ts';
import type { Authorization, Refund } from './types.ts';

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const freshDir = () => mkdtempSync(join(tmpdir(), 'sandbox-journal-'));

/** Per payment: authorize, capture, refund 400, refund the rest; all with keys but the last refund. */
async function payAndRefund(r: RunningSandbox, n: number, prefix = 'p'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const auth = await r.authorize('tok_visa', {
      amount: 1000,
      key: `${prefix}${i}:authorize`,
      reference: `${prefix}${i}`,
    });
    const id = String(auth.body['id']);
    ids.push(id);
    expect(
      (
        await r.call(
          'POST',
          `/v1/authorizations/${id}/capture`,
          {},
          { 'idempotency-key': `${prefix}${i}:capture` },
        )
      ).status,
    ).toBe(200);
    const first = { authorizationId: id, amount: 400 };
    expect(
      (await r.call('POST', '/v1/refunds', first, { 'idempotency-key': `${prefix}${i}:refund` })).status,
    ).toBe(201);
    expect((await r.call('POST', '/v1/refunds', { authorizationId: id, amount: 600 })).status).toBe(201);
  }
  return ids;
}

/** What a reader of the file could rely on: every refund belongs to its payment and adds up. */
function expectConsistent(state: SandboxState): void {
  const refunds = new Map<string, Refund>(state.refunds.map((r) => [r.id, r]));
  const auths = new Map<string, Authorization>(state.authorizations.map((a) => [a.id, a]));
  for (const auth of state.authorizations) {
    const sum = auth.refunds.reduce((total, id) => total + (refunds.get(id)?.amount ?? Number.NaN), 0);
    expect(sum).toBe(auth.refundedAmount);
    expect(auth.status).toBe(
      auth.refundedAmount === 0 ? auth.status : auth.refundedAmount === 1000 ? 'refunded' : 'captured',
    );
  }
  for (const refund of state.refunds) expect(auths.get(refund.authorizationId)?.refunds).toContain(refund.id);
  // An idempotent answer is never on disk without what it answered for.
  for (const [, entry] of state.idempotency) {
    const body = entry.response.body as { id: string; object: string };
    expect(body.object === 'refund' ? refunds.has(body.id) : auths.has(body.id)).toBe(true);
  }
}

/** Records in a comparable form: sorted by id. */
const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));

describe('the state file is an append-only journal', () => {
  it('replays a journal cut at any byte to a consistent prefix of what was written', async () => {
    const dir = freshDir();
    const path = join(dir, 'state.json');
    running = await startSandbox({ stateFile: path });
    await payAndRefund(running, 6);
    await running.close();
    running = undefined;
    const whole = readFileSync(path);
    const complete = new StateFile(path).load()!.state;
    expect(complete.authorizations).toHaveLength(6);
    expect(complete.refunds).toHaveLength(12);
    // No snapshot yet: every line is a change, one per request.
    expect(whole.toString().trim().split('\n')).toHaveLength(24);

    const boundaries = [...whole.entries()].filter(([, byte]) => byte === 0x0a).map(([i]) => i + 1);
    const offsets = new Set<number>([0, 1]);
    for (const b of boundaries) for (const d of [-2, -1, 0, 1]) offsets.add(Math.min(whole.length, b + d));
    for (let cut = 0; cut < whole.length; cut += 97) offsets.add(cut);
    let previous = -1;
    for (const cut of [...offsets].sort((a, b) => a - b)) {
      const copy = join(dir, `cut-${cut}.json`);
      writeFileSync(copy, whole.subarray(0, cut));
      const loaded = new StateFile(copy).load()!;
      // Exactly the whole lines before the cut survive (a line cut only of its newline is whole); the torn
      // rest is cut off the file.
      const kept = Math.max(
        0,
        ...boundaries.filter((b) => b <= cut),
        ...(boundaries.includes(cut + 1) ? [cut] : []),
      );
      expect(loaded.discardedBytes).toBe(cut - kept);
      expect(statSync(copy).size).toBe(kept);
      expectConsistent(loaded.state);
      const size =
        loaded.state.authorizations.length + loaded.state.refunds.length + loaded.state.idempotency.length;
      expect(size).toBeGreaterThanOrEqual(previous);
      previous = size;
    }
    expect(previous).toBe(
      complete.authorizations.length + complete.refunds.length + complete.idempotency.length,
    );
  }, 120_000); // a few hundred loads: generous for a loaded machine

  it('restarts from a torn journal, keeps what was whole, and appends after it', async () => {
    const path = join(freshDir(), 'state.json');
    running = await startSandbox({ stateFile: path });
    const [first] = await payAndRefund(running, 2);
    await running.close();
    const whole = readFileSync(path);
    // Crash in the middle of the last line (the second payment's keyless refund of 600).
    writeFileSync(path, whole.subarray(0, whole.length - 40));

    running = await startSandbox({ stateFile: path });
    const [later] = await payAndRefund(running, 1, 'after-crash');
    await running.close();
    running = await startSandbox({ stateFile: path });
    expect((await running.call('GET', `/v1/authorizations/${first}`)).body).toMatchObject({
      status: 'refunded',
    });
    expect((await running.call('GET', `/v1/authorizations/${later}`)).body).toMatchObject({
      status: 'refunded',
    });
    const state = new StateFile(path).load()!;
    expect(state.discardedBytes).toBe(0);
    expectConsistent(state.state);
    const second = state.state.authorizations.find((a) => a.reference === 'p1');
    expect(second).toMatchObject({ status: 'captured', refundedAmount: 400 });
  });

  it('compacts into a snapshot past its threshold and keeps everything', async () => {
    const dir = freshDir();
    const path = join(dir, 'state.json');
    running = await startSandbox({ stateFile: path, stateFileCompactAfterBytes: 4096 });
    const ids = await payAndRefund(running, 12);
    // Written while compactions happen: concurrent payments share commits and lose nothing.
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        running!.authorize('tok_visa', { key: `c${i}`, reference: `c${i}` }),
      ),
    );
    await running.close();
    const text = readFileSync(path, 'utf8');
    const lines = text.trim().split('\n');
    // Far fewer lines than the 68 requests, and the first is a snapshot.
    expect(lines.length).toBeLessThan(40);
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 1 });
    expect(readdirSync(dir)).toEqual(['state.json']);

    running = await startSandbox({ stateFile: path });
    for (const id of ids) {
      expect((await running.call('GET', `/v1/authorizations/${id}`)).body).toMatchObject({
        status: 'refunded',
        refundedAmount: 1000,
      });
    }
    for (const [i, answer] of concurrent.entries()) {
      const replay = await running.authorize('tok_visa', { key: `c${i}`, reference: `c${i}` });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body['id']).toBe(answer.body['id']);
    }
    const replayedRefund = await running.call(
      'POST',
      '/v1/refunds',
      { authorizationId: ids[0], amount: 400 },
      { 'idempotency-key': 'p0:refund' },
    );
    expect(replayedRefund.headers.get('idempotent-replayed')).toBe('true');
    const state = new StateFile(path).load()!.state;
    expectConsistent(state);
    expect(byId(state.authorizations).map((a) => a.id)).toEqual(
      byId([...ids, ...concurrent.map((c) => String(c.body['id']))].map((id) => ({ id }))).map((a) => a.id),
    );
    expect(state.refunds).toHaveLength(24);
  });

  it('reads a state file written whole, before the journal, and appends to it', async () => {
    const path = join(freshDir(), 'state.json');
    running = await startSandbox({ stateFile: path, stateFileCompactAfterBytes: 1 });
    const [old] = await payAndRefund(running, 1);
    await running.close();
    // With a threshold of 1 byte every commit compacts: the file is one snapshot, as the old format.
    const snapshot = readFileSync(path, 'utf8').trim();
    expect(snapshot.split('\n')).toHaveLength(1);
    writeFileSync(path, snapshot); // the old format had no newline

    running = await startSandbox({ stateFile: path });
    const [added] = await payAndRefund(running, 1, 'new');
    await running.close();
    running = await startSandbox({ stateFile: path });
    for (const id of [old, added]) {
      expect((await running.call('GET', `/v1/authorizations/${id}`)).body).toMatchObject({
        status: 'refunded',
      });
    }
  });
});
