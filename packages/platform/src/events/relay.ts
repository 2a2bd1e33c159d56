import type { Logger } from 'pino';
import type { EventBus } from './bus.ts';
import { claimBatch, markPublished, releaseClaims, type SchemaHandle } from './outbox.ts';

export interface RelayOptions {
  batchSize?: number;
  /** Poll interval when idle; `notify()` wakes the relay at once after a local commit. */
  idleMs?: number;
  /** How long a claimed batch stays invisible to other relays; a crashed relay's claim expires after it. */
  leaseMs?: number;
  logger?: Logger;
  onPublished?: (count: number) => void;
}

/** Publishes a service's outbox to the event bus, in commit order, at least once. */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: SchemaHandle,
    private readonly bus: EventBus,
    private readonly options: RelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.idleMs = options.idleMs ?? 100;
    this.leaseMs = options.leaseMs ?? 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many events went out. */
  async publishBatch(): Promise<number> {
    const batch = await claimBatch(this.db, this.batchSize, this.leaseMs);
    const published: string[] = [];
    try {
      for (const event of batch) {
        await this.bus.publish(event);
        published.push(event.id);
      }
    } finally {
      await markPublished(this.db, published);
      if (published.length > 0) this.options.onPublished?.(published.length);
      if (published.length < batch.length) {
        const done = new Set(published);
        await releaseClaims(
          this.db,
          batch.filter((e) => !done.has(e.id)).map((e) => e.id),
        );
      }
    }
    return published.length;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures++;
        this.options.logger?.warn({ err: error }, 'outbox relay failed, will retry');
      }
      if (published === 0 && this.running)
        await this.sleep(failures ? Math.min(5_000, 100 * 2 ** failures) : this.idleMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
