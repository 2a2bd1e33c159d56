import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@emporium/platform/testing';
import { startSandbox, type RunningSandbox } from './testkit.ts';

let running: RunningSandbox | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const stateFile = () => join(mkdtempSync(join(tmpdir(), 'sandbox-state-')), 'payment-sandbox', 'state.json');

async function capturedPayment(r: RunningSandbox): Promise<string> {
  const auth = await r.authorize('tok_visa', { amount: 2500, key: 'order-1:authorize' });
  const id = String(auth.body['id']);
  expect((await r.call('POST', `/v1/authorizations/${id}/capture`, {})).status).toBe(200);
  return id;
}

describe('the sandbox keeps its state across restarts', () => {
  it('refunds after a restart a payment captured before it, and replays idempotent answers', async () => {
    const path = stateFile();
    running = await startSandbox({ stateFile: path });
    const id = await capturedPayment(running);
    await running.close();

    running = await startSandbox({ stateFile: path });
    expect((await running.call('GET', `/v1/authorizations/${id}`)).body).toMatchObject({
      status: 'captured',
    });
    const replay = await running.authorize('tok_visa', { amount: 2500, key: 'order-1:authorize' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body['id']).toBe(id);
    const refund = await running.call('POST', '/v1/refunds', { authorizationId: id, amount: 2500 });
    expect(refund.status).toBe(201);
    await running.close();

    running = await startSandbox({ stateFile: path });
    expect((await running.call('GET', `/v1/authorizations/${id}`)).body).toMatchObject({
      status: 'refunded',
      refundedAmount: 2500,
    });
    // Only the state file is left behind: every save was renamed into place.
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
  });

  it('keeps its state in memory when given no file', async () => {
    running = await startSandbox();
    const id = await capturedPayment(running);
    await running.close();
    running = await startSandbox();
    expect((await running.call('GET', `/v1/authorizations/${id}`)).status).toBe(404);
  });

  it('is started by its CLI with a state file under DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    const port = await freePort();
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, DATA_DIR: dataDir, PAYMENTS_SANDBOX_PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    try {
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${port}/healthz`).then(
              (r) => r.ok,
              () => false,
            ),
          {
            timeout: 20_000,
          },
        )
        .toBe(true);
      const auth = await fetch(`http://127.0.0.1:${port}/v1/authorizations`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_emporium', 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 100, currency: 'USD', token: 'tok_visa', reference: 'cli-order' }),
      });
      expect(auth.status).toBe(201);
      expect(existsSync(join(dataDir, 'payment-sandbox', 'state.json'))).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
