import { join } from 'node:path';
import { ConfigError, envInteger, envUrl, type Config, type Env } from '@emporium/platform';

/** The analytics service's own variables, read once at start. */
export interface AnalyticsSettings {
  /** ANALYTICS_SINK_URL: POST NDJSON batches there; unset: NDJSON files under `fileDir`, one per day. */
  sinkUrl: string | undefined;
  /** ANALYTICS_SINK_TOKEN: sent as `Authorization: Bearer` to the sink URL. */
  sinkToken: string | undefined;
  /** DATA_DIR/analytics: the embedded sink's files (and the generated pseudonym key). */
  fileDir: string;
  /** ANALYTICS_PSEUDONYM_KEY: the HMAC key of pseudonyms; required with a sink URL, else generated. */
  pseudonymKey: string | undefined;
  /** ANALYTICS_BATCH_SIZE, default 500. */
  batchSize: number;
  /** ANALYTICS_EXPORT_INTERVAL_MS, default 500: how often the exporter looks for new events. */
  exportIntervalMs: number;
  /** ANALYTICS_RETENTION_HOURS, default 24: exported events kept for a new sink or a replay. */
  retentionHours: number;
}

const MIN_KEY_LENGTH = 32;

export function analyticsSettings(env: Env, config: Pick<Config, 'dataDir'>): AnalyticsSettings {
  const sinkUrl = envUrl(env, 'ANALYTICS_SINK_URL', ['http:', 'https:']);
  const pseudonymKey = env.ANALYTICS_PSEUDONYM_KEY || undefined;
  if (pseudonymKey !== undefined && pseudonymKey.length < MIN_KEY_LENGTH)
    throw new ConfigError('ANALYTICS_PSEUDONYM_KEY', `must be at least ${MIN_KEY_LENGTH} characters`);
  // Pseudonyms that leave the store must not change when a data directory is lost or another host runs
  // the exporter: with a sink URL the key is the deployment's own, not a generated one.
  if (sinkUrl && pseudonymKey === undefined)
    throw new ConfigError('ANALYTICS_PSEUDONYM_KEY', 'must be set when ANALYTICS_SINK_URL is set');
  return {
    sinkUrl,
    sinkToken: env.ANALYTICS_SINK_TOKEN || undefined,
    fileDir: join(config.dataDir, 'analytics'),
    pseudonymKey,
    batchSize: envInteger(env, 'ANALYTICS_BATCH_SIZE', 500, 1, 10_000),
    exportIntervalMs: envInteger(env, 'ANALYTICS_EXPORT_INTERVAL_MS', 500, 0, 3_600_000),
    retentionHours: envInteger(env, 'ANALYTICS_RETENTION_HOURS', 24, 0, 24 * 90),
  };
}
