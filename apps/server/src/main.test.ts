import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', NATS_URL: '', PORT: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('starting the server with bad configuration', () => {
  it.each([
    [{ DATABASE_URL: 'not-a-url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, 'DATABASE_URL'],
    [{ SERVICES: 'gateway,warehouse' }, 'SERVICES'],
    [
      { SERVICES: 'gateway', SERVICE_URL_WAREHOUSE: 'http://127.0.0.1:1', SERVICE_KEY: 'k'.repeat(32) },
      'SERVICE_URL_WAREHOUSE',
    ],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ SERVICES: 'catalog' }, 'SERVICE_KEY'],
    [{ SERVICE_KEY: 'too-short' }, 'SERVICE_KEY'],
    [
      { SERVICES: 'catalog', SERVICE_KEY: 'k'.repeat(32), DATA_DIR: '/tmp/emporium-config-test' },
      'SERVICE_URL_USERS',
    ],
    [
      {
        PAYMENTS_GATEWAY_URL: 'https://gateway.example',
        PAYMENTS_GATEWAY_API_KEY: 'sk_live_0123456789abcdef',
        PAYMENTS_WEBHOOK_SECRET: 'whsec_emporium_dev',
      },
      'PAYMENTS_WEBHOOK_SECRET',
    ],
    [{ PAYMENTS_GATEWAY_URL: 'https://gateway.example' }, 'PAYMENTS_GATEWAY_API_KEY'],
  ])('%j stops with one line naming %s and a non-zero exit', async (env, variable) => {
    const { code, stderr } = await run(env);
    expect(code).not.toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
  });
});
