// Kills a real exporter process with SIGKILL while the sink holds a batch it has not acknowledged, starts
// another, and checks the sink: every event there, duplicates only from the batch in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, openDatabase } from '@emporium/platform';
import { freePort, testUrls, uniqueName } from '@emporium/platform/testing';
import { pseudonymiser } from './pseudonyms.ts';
import { EXPORTS, isValidRecord, toRecord, type ExportRecord } from './records.ts';
import { AnalyticsStore, type AnalyticsDB } from './store.ts';
import { behaviourEvent } from './test-support.ts';

const CHILD = fileURLToPath(new URL('./exporter-process.test-support.ts', import.meta.url));
const TOTAL = 400;
const BATCH = 50;
const schema = uniqueName('t_analytics_crash');
const children: ChildProcess[] = [];
let dir: string;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (testUrls.database) {
    const db = await openDatabase({ databaseUrl: testUrls.database, dataDir: '' });
    await db.forSchema(schema).schema.dropSchema(schema).cascade().execute();
    await db.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function seed(): Promise<string[]> {
  const db = await openDatabase({ databaseUrl: testUrls.database, dataDir: dir });
  await db.migrate(schema, await loadMigrations(new URL('../migrations', import.meta.url).pathname));
  const store = new AnalyticsStore(db.forSchema<AnalyticsDB>(schema), schema);
  const rule = EXPORTS.find((r) => r.type === 'behaviour.recorded')!;
  const ids: string[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const event = behaviourEvent('view');
    ids.push(event.id);
    await store.enqueue(toRecord(rule, event, pseudonymiser('k'.repeat(32))));
  }
  // PGlite files belong to one process at a time: the exporter process opens them next.
  await db.close();
  return ids;
}

function startExporter(sinkUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      EXPORT_SCHEMA: schema,
      EXPORT_DIR: dir,
      EXPORT_SINK_URL: sinkUrl,
      EXPORT_BATCH_SIZE: String(BATCH),
      ...(testUrls.database ? { DATABASE_URL: testUrls.database } : { DATABASE_URL: '' }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`exporter exited early (${code})`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('an exporter process killed mid-batch', () => {
  it('loses nothing at the sink and repeats only the batch that was in flight', async () => {
    dir = await mkdtemp(join(tmpdir(), 'analytics-crash-'));
    const ids = await seed();
    const received: ExportRecord[] = [];
    let batches = 0;
    let victim: ChildProcess | undefined;
    const killed = { done: false };
    const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
        received.push(...lines.map((l) => JSON.parse(l) as ExportRecord));
        batches++;
        if (batches === 3 && victim) {
          // The sink has the batch; the exporter dies before it hears so, and before its cursor moves.
          victim.kill('SIGKILL');
          killed.done = true;
          res.destroy();
          return;
        }
        res.writeHead(204).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${port}/ingest`;
    try {
      victim = await startExporter(url);
      await exited(victim);
      expect(killed.done).toBe(true);
      expect(victim.signalCode).toBe('SIGKILL');
      const atKill = received.length;
      expect(atKill).toBe(3 * BATCH);

      const survivor = await startExporter(url);
      await expect
        .poll(() => new Set(received.map((r) => r.eventId)).size, { timeout: 60_000, interval: 100 })
        .toBe(TOTAL);
      survivor.kill('SIGTERM');
      await exited(survivor);

      const unique = new Map(received.map((r) => [r.eventId, r]));
      expect([...unique.keys()].sort()).toEqual([...ids].sort());
      expect([...unique.values()].every(isValidRecord)).toBe(true);
      // At least once: the killed batch arrives again, and nothing beyond it does.
      const duplicates = received.length - unique.size;
      expect(duplicates).toBe(BATCH);
      const seen = new Map<string, number>();
      for (const r of received) seen.set(r.eventId, (seen.get(r.eventId) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(new Set(twice)).toEqual(new Set(received.slice(2 * BATCH, 3 * BATCH).map((r) => r.eventId)));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 400_000);
});
