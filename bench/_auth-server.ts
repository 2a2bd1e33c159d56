// The composed app (gateway + users, embedded infrastructure) for the auth benchmark, in its own process
// so the load generator has the other core. Prints "LISTENING <url>" when ready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '@emporium/platform';
import { startServer } from '../apps/server/src/server.ts';

const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SERVICES: 'gateway,users',
  SEED_DEMO_DATA: 'false',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'emporium-bench-auth-')),
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '10000000',
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
});
const server = await startServer(config, pino({ level: 'warn' }));
console.log(`LISTENING ${server.url}`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
