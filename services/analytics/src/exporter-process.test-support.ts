// The exporter as a process of its own, for the crash test: it exports the queue of EXPORT_SCHEMA to the
// HTTP sink at EXPORT_SINK_URL until it is killed. The database is DATABASE_URL, or PGlite in EXPORT_DIR.
import { loadConfig, openDatabase } from '@emporium/platform';
import { silentLogger } from '@emporium/platform/testing';
import { Exporter } from './exporter.ts';
import { httpSink } from './sinks.ts';
import { AnalyticsStore, type AnalyticsDB } from './store.ts';

const config = loadConfig();
const env = config.env;
const schema = env.EXPORT_SCHEMA!;
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: env.EXPORT_DIR ?? '' });
const store = new AnalyticsStore(db.forSchema<AnalyticsDB>(schema), schema);
const exporter = new Exporter(store, httpSink(env.EXPORT_SINK_URL!, { timeoutMs: 60_000 }), silentLogger(), {
  batchSize: Number(env.EXPORT_BATCH_SIZE ?? 50),
  retryBaseMs: 20,
  retryMaxMs: 100,
});
process.stdout.write('ready\n');
for (;;) {
  await exporter.exportPending();
  await new Promise((r) => setTimeout(r, 20));
}
