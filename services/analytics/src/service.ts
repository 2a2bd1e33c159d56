import { join } from 'node:path';
import {
  loadMigrations,
  subscribeTo,
  type ServiceContext,
  type ServiceModule,
  type Subscription,
} from '@emporium/platform';
import { Exporter, type ExporterOptions } from './exporter.ts';
import { keyFromFile, pseudonymiser } from './pseudonyms.ts';
import { EXPORTS, toRecord } from './records.ts';
import { analyticsRoutes, analyticsInternalRoutes } from './routes.ts';
import type { AnalyticsSettings } from './settings.ts';
import { fileSink, httpSink, type AnalyticsSink } from './sinks.ts';
import { AnalyticsStore, type AnalyticsDB } from './store.ts';
import type { AnalyticsApi, ExportStatus } from './types.ts';

export interface AnalyticsOptions extends ExporterOptions {
  /** Replaces the sink the settings choose (tests). */
  sink?: AnalyticsSink;
  /** The schema of the queue and cursor, `analytics` unless a suite sharing a database needs its own. */
  schema?: string;
}

export function sinkOf(settings: AnalyticsSettings): AnalyticsSink {
  return settings.sinkUrl
    ? httpSink(settings.sinkUrl, settings.sinkToken ? { token: settings.sinkToken } : {})
    : fileSink(settings.fileDir);
}

export async function createAnalyticsService(
  ctx: ServiceContext & { settings: AnalyticsSettings },
  options: AnalyticsOptions = {},
): Promise<{ module: ServiceModule; api: AnalyticsApi & { exporter: Exporter; store: AnalyticsStore } }> {
  const { infra, settings } = ctx;
  const log = infra.logger.child({ service: 'analytics' });
  const schema = options.schema ?? 'analytics';
  await infra.db.migrate(schema, await loadMigrations(new URL('../migrations', import.meta.url).pathname));
  const store = new AnalyticsStore(infra.db.forSchema<AnalyticsDB>(schema), schema);
  const key = settings.pseudonymKey ?? (await keyFromFile(join(settings.fileDir, 'pseudonym.key')));
  const pseudonymise = pseudonymiser(key);
  const exporter = new Exporter(store, options.sink ?? sinkOf(settings), log, {
    batchSize: settings.batchSize,
    retentionHours: settings.retentionHours,
    ...options,
  });

  // Personal data is dropped or pseudonymised here, before anything is stored in this schema.
  const subscriptions: Subscription[] = [];
  for (const rule of EXPORTS)
    subscriptions.push(
      await subscribeTo(
        infra.bus,
        `analytics-${rule.type}`,
        rule.event,
        (event) => store.enqueue(toRecord(rule, event, pseudonymise)),
        log,
      ),
    );

  const api = {
    exporter,
    store,
    status: async (): Promise<ExportStatus> => {
      const { pending, oldest } = await store.pending(exporter.sink.name);
      return { sink: exporter.sink.name, pending, ...(oldest ? { oldestPending: oldest } : {}) };
    },
  };
  const module: ServiceModule = {
    name: 'analytics',
    routes: analyticsRoutes(api),
    internalRoutes: analyticsInternalRoutes(api),
    jobs: [
      {
        name: 'analytics.export',
        everyMs: settings.exportIntervalMs,
        // One exporter at a time in the deployment: the sink gets batches in queue order.
        exclusive: true,
        runAtStart: true,
        run: async (signal) => void (await exporter.exportPending(signal)),
      },
    ],
    async stop() {
      for (const s of subscriptions) await s.stop();
    },
  };
  return { module, api };
}
