// Forwards the export queue to the sink in batches, at least once: send, then move the cursor. A crash
// between the two resends that batch; every record carries its event id for the consumer to drop twins.
import type { Logger } from 'pino';
import type { AnalyticsSink } from './sinks.ts';
import type { AnalyticsStore } from './store.ts';

export interface ExporterOptions {
  batchSize?: number;
  /** First pause after a failed send; doubles with each failure in a row, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  retentionHours?: number;
  /** Test hook: after the sink accepted a batch and before the cursor moves. */
  afterSend?: (lastSeq: number) => Promise<void>;
  /** Told of each exported batch (metrics, benchmarks). */
  onExported?: (records: number) => void;
}

export class Exporter {
  private failures = 0;
  private retryAt = 0;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly store: AnalyticsStore,
    readonly sink: AnalyticsSink,
    private readonly logger: Logger,
    private readonly options: ExporterOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 300_000;
  }

  /** Exports until the queue is empty, the signal aborts or the sink fails; returns records sent. */
  async exportPending(signal?: AbortSignal): Promise<number> {
    if (Date.now() < this.retryAt) return 0;
    let sent = 0;
    let position = await this.store.position(this.sink.name);
    while (!signal?.aborted) {
      const batch = await this.store.after(position, this.batchSize);
      if (batch.length === 0) break;
      const last = batch.at(-1)!.seq;
      try {
        await this.sink.write(batch.map((b) => b.record));
      } catch (error) {
        this.backOff(error);
        return sent;
      }
      await this.options.afterSend?.(last);
      await this.store.commit(this.sink.name, last);
      this.failures = 0;
      position = last;
      sent += batch.length;
      this.options.onExported?.(batch.length);
    }
    if (sent > 0 && this.options.retentionHours !== undefined)
      await this.store.prune(this.options.retentionHours);
    return sent;
  }

  private backOff(error: unknown): void {
    this.failures++;
    const pause = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (this.failures - 1));
    const jittered = Math.round(pause * (0.8 + Math.random() * 0.4));
    this.retryAt = Date.now() + jittered;
    this.logger.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        failures: this.failures,
        retryInMs: jittered,
      },
      'analytics export failed; retrying later',
    );
  }
}
