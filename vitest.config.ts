import { defineConfig } from 'vitest/config';

// JetStream cannot be embedded: its suites run only against a real server.
const withNats = Boolean(process.env.NATS_URL) && process.env.EMPORIUM_EMBEDDED !== '1';
// Multi-process suites on the real PostgreSQL (flash sale): only when DATABASE_URL is set.
const withPg = Boolean(process.env.DATABASE_URL) && process.env.EMPORIUM_EMBEDDED !== '1';

// Two cores: keep parallelism modest so suites that start servers do not starve each other.
export default defineConfig({
  test: {
    include: [
      'packages/**/*.test.ts',
      'services/**/*.test.ts',
      'apps/**/*.test.ts',
      'sandboxes/**/*.test.ts',
    ],
    exclude: [
      '**/node_modules/**',
      ...(withNats ? [] : ['**/*.nats.test.ts']),
      ...(withPg ? [] : ['**/*.pg.test.ts']),
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
