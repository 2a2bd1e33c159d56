// Group commit for behaviour events: requests that arrive while an insert runs share the next insert.
import type { InteractionRow } from './store.ts';

interface Pending {
  rows: readonly InteractionRow[];
  done: (error?: unknown) => void;
}

/**
 * One insert at a time; everything queued meanwhile goes out as one multi-row insert. Idle, a request
 * waits for its own insert only; under load, the number of statements grows with the insert time, not
 * with the request rate. Each caller learns whether its rows were stored.
 */
export class BatchWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly write: (rows: InteractionRow[]) => Promise<void>,
    private readonly maxRows = 1_000,
  ) {}

  add(rows: readonly InteractionRow[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, done: (error) => (error ? reject(error) : resolve()) });
      this.running ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is written (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          await this.write(batch.flatMap((p) => p.rows));
          for (const p of batch) p.done();
        } catch (error) {
          for (const p of batch) p.done(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private take(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows.length <= this.maxRows)) {
      rows += this.queue[n]!.rows.length;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
