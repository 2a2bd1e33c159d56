// Where exported records go: NDJSON files rotated daily (embedded default) or an HTTP endpoint.
// `write` resolves only once the sink holds the batch; only then does the exporter move its cursor.
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportRecord } from './records.ts';

export interface AnalyticsSink {
  /** Keys the cursor: a new sink starts from the oldest retained event. */
  readonly name: string;
  write(records: readonly ExportRecord[]): Promise<void>;
}

const ndjson = (records: readonly ExportRecord[]) => records.map((r) => JSON.stringify(r) + '\n').join('');

/** `events-YYYY-MM-DD.ndjson` by the day (UTC) each event occurred; appended and fsynced per batch. */
export function fileSink(dir: string): AnalyticsSink {
  return {
    name: 'file',
    async write(records) {
      await mkdir(dir, { recursive: true });
      const byDay = new Map<string, ExportRecord[]>();
      for (const r of records) {
        const day = r.occurredAt.slice(0, 10);
        byDay.set(day, [...(byDay.get(day) ?? []), r]);
      }
      for (const [day, batch] of byDay) {
        const file = await open(join(dir, `events-${day}.ndjson`), 'a');
        try {
          await file.write(ndjson(batch));
          await file.sync();
        } finally {
          await file.close();
        }
      }
    },
  };
}

export class SinkRefused extends Error {}

/** POSTs each batch as `application/x-ndjson`; any 2xx accepts it, anything else is retried. */
export function httpSink(url: string, options: { token?: string; timeoutMs?: number } = {}): AnalyticsSink {
  return {
    name: `http:${new URL(url).host}`,
    async write(records) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-ndjson',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: ndjson(records),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new SinkRefused(`analytics sink answered ${response.status}`);
    },
  };
}
