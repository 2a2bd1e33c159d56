import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, newId, type Infrastructure } from '@emporium/platform';
import { testInfrastructure, uniqueName } from '@emporium/platform/testing';
import { isValidRecord, type ExportRecord } from './records.ts';
import { createAnalyticsService, type AnalyticsOptions } from './service.ts';
import { analyticsSettings } from './settings.ts';
import type { AnalyticsSink } from './sinks.ts';
import { behaviourEvent, CUSTOMER_NAME, orderEvents, STREET } from './test-support.ts';

let infra: Infrastructure;
let dataDir: string;
const schemas: string[] = [];
const KEY = 'k'.repeat(40);

beforeAll(async () => {
  infra = await testInfrastructure();
  dataDir = await mkdtemp(join(tmpdir(), 'analytics-'));
  // Starting PGlite takes tens of seconds on a loaded machine.
}, 180_000);
afterAll(async () => {
  for (const schema of schemas)
    await infra.db.forSchema(schema).schema.dropSchema(schema).cascade().execute();
  await infra.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function build(options: AnalyticsOptions = {}, env: Record<string, string> = {}) {
  const schema = uniqueName('t_analytics');
  schemas.push(schema);
  const config = loadConfig({ DATA_DIR: join(dataDir, schema) });
  const settings = analyticsSettings({ ANALYTICS_PSEUDONYM_KEY: KEY, ...env }, config);
  const service = await createAnalyticsService({ config, infra, settings }, { schema, ...options });
  return { ...service, settings };
}

/** A sink in memory that can be told to refuse the next batches. */
function memorySink(): AnalyticsSink & { records: ExportRecord[]; refuseNext: number; batches: number } {
  const sink = {
    name: 'memory',
    records: [] as ExportRecord[],
    refuseNext: 0,
    batches: 0,
    async write(records: readonly ExportRecord[]) {
      if (sink.refuseNext > 0) {
        sink.refuseNext--;
        throw new Error('sink unavailable');
      }
      sink.batches++;
      sink.records.push(...structuredClone(records));
    },
  };
  return sink;
}

describe('analytics export', () => {
  it('writes every exported event to daily NDJSON files, in its versioned schema, without personal data', async () => {
    const s = await build();
    const customerId = newId();
    const events = [...orderEvents(customerId), behaviourEvent('view', customerId), behaviourEvent('search')];
    for (const e of events) await infra.bus.publish(e);
    expect(await s.api.exporter.exportPending()).toBe(events.length);

    const files = await readdir(s.settings.fileDir);
    const day = new Date().toISOString().slice(0, 10);
    expect(files).toContain(`events-${day}.ndjson`);
    const raw = await readFile(join(s.settings.fileDir, `events-${day}.ndjson`), 'utf8');
    const records = raw
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportRecord);
    expect(records.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    expect(records.map((r) => r.type)).toEqual([
      'order.paid',
      'order.status_changed',
      'payment.updated',
      'behaviour.recorded',
      'behaviour.recorded',
    ]);
    for (const r of records) {
      expect(isValidRecord(r), JSON.stringify(r)).toBe(true);
      expect(r.schemaVersion).toBe(1);
    }
    expect(raw).not.toContain(customerId);
    expect(raw).not.toContain(CUSTOMER_NAME);
    expect(raw).not.toContain(STREET);
    expect(raw).not.toContain('session-');
    // One customer, one pseudonym across orders, payments and behaviour.
    const pseudonyms = new Set(
      records.flatMap((r) => {
        const d = r.data as { customer?: string; user?: string };
        return [d.customer ?? d.user ?? []].flat();
      }),
    );
    expect(pseudonyms.size).toBe(1);
    expect((records[0]!.data as { shipToCountry: string }).shipToCountry).toBe('GB');
    expect(await s.api.status()).toEqual({ sink: 'file', pending: 0 });
  });

  it('gives the same id another pseudonym under another key', async () => {
    const customerId = newId();
    const pseudonymOf = async (key: string) => {
      const sink = memorySink();
      const s = await build({ sink }, { ANALYTICS_PSEUDONYM_KEY: key });
      await infra.bus.publish(orderEvents(customerId)[1]!);
      await s.api.exporter.exportPending();
      return (sink.records[0]!.data as { customer: string }).customer;
    };
    const a = await pseudonymOf('a'.repeat(32));
    expect(await pseudonymOf('a'.repeat(32))).toBe(a);
    expect(await pseudonymOf('b'.repeat(32))).not.toBe(a);
  });

  it('queues an event once however often it is delivered', async () => {
    const sink = memorySink();
    const s = await build({ sink });
    const event = behaviourEvent('click');
    await Promise.all([infra.bus.publish(event), infra.bus.publish(event)]);
    await infra.bus.publish(event);
    await s.api.exporter.exportPending();
    expect(sink.records.map((r) => r.eventId)).toEqual([event.id]);
  });

  it('backs off while the sink fails and then exports everything, in order', async () => {
    const sink = memorySink();
    const s = await build({ sink, batchSize: 3, retryBaseMs: 30, retryMaxMs: 200 });
    const events = Array.from({ length: 10 }, () => behaviourEvent('view'));
    for (const e of events) await infra.bus.publish(e);
    sink.refuseNext = 3;
    expect(await s.api.exporter.exportPending()).toBe(0);
    // Within the pause nothing is attempted.
    expect(await s.api.exporter.exportPending()).toBe(0);
    expect(sink.refuseNext).toBe(2);
    await expect
      .poll(async () => (await s.api.exporter.exportPending(), sink.records.length), {
        timeout: 10_000,
        interval: 20,
      })
      .toBe(10);
    expect(sink.refuseNext).toBe(0);
    expect(sink.records.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    expect(sink.batches).toBe(4);
  });

  it('resends the batch a crash interrupted between send and cursor commit, and nothing else twice', async () => {
    const sink = memorySink();
    let sends = 0;
    const crashing = await build({
      sink,
      batchSize: 4,
      afterSend: async () => {
        if (++sends === 2) throw new Error('process killed');
      },
    });
    const events = Array.from({ length: 10 }, () => behaviourEvent('add_to_cart'));
    for (const e of events) await infra.bus.publish(e);
    await expect(crashing.api.exporter.exportPending()).rejects.toThrow('process killed');
    expect(sink.records).toHaveLength(8);

    const { Exporter } = await import('./exporter.ts');
    const restarted = new Exporter(crashing.api.store, sink, infra.logger, { batchSize: 4 });
    expect(await restarted.exportPending()).toBe(6);
    const ids = sink.records.map((r) => r.eventId);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    expect(ids.length - new Set(ids).size).toBe(4);
  });

  it('keeps exported events for the retention, then drops them', async () => {
    const sink = memorySink();
    const s = await build({ sink, retentionHours: 0 });
    await infra.bus.publish(behaviourEvent('view'));
    await s.api.exporter.exportPending();
    expect(await s.api.store.after(0, 10)).toEqual([]);
    const kept = await build({ sink: memorySink(), retentionHours: 24 });
    await infra.bus.publish(behaviourEvent('view'));
    await kept.api.exporter.exportPending();
    expect(await kept.api.store.after(0, 10)).toHaveLength(1);
  });
});

describe('analytics settings', () => {
  const config = { dataDir: '/var/emporium' };
  it('export to files under DATA_DIR/analytics unless ANALYTICS_SINK_URL is set', () => {
    expect(analyticsSettings({}, config)).toMatchObject({
      sinkUrl: undefined,
      fileDir: '/var/emporium/analytics',
    });
  });
  it('need a pseudonym key of 32 characters or more with a sink URL, and refuse a non-http URL', () => {
    expect(() => analyticsSettings({ ANALYTICS_SINK_URL: 'https://sink.example/in' }, config)).toThrow(
      /ANALYTICS_PSEUDONYM_KEY/,
    );
    expect(() => analyticsSettings({ ANALYTICS_PSEUDONYM_KEY: 'short' }, config)).toThrow(
      /ANALYTICS_PSEUDONYM_KEY/,
    );
    expect(() => analyticsSettings({ ANALYTICS_SINK_URL: 'ftp://sink.example' }, config)).toThrow(
      /ANALYTICS_SINK_URL/,
    );
  });
});
