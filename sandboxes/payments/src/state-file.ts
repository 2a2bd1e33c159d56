import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IdempotencyEntry } from './idempotency.ts';
import type { Authorization, Refund } from './types.ts';

/** Everything a client may ask about again after a restart: payments, refunds, idempotent answers. */
export interface SandboxState {
  version: 1;
  authorizations: Authorization[];
  refunds: Refund[];
  idempotency: [string, IdempotencyEntry][];
}

/**
 * The sandbox's state on disk, so that a restart forgets nothing a real gateway would remember (a paid
 * order must still be refundable). Each save writes a temporary file and renames it over the old one:
 * a crash mid-write leaves the previous state, never half of one. Saves run one after another, each
 * taking the state as it is when its turn comes, so the last save always holds the latest change; saves
 * made while one waits share it.
 */
export class StateFile {
  private queue: Promise<void> = Promise.resolve();
  /** The save waiting for its turn, not yet started: later saves share it (a group commit). */
  private waiting: Promise<void> | undefined;

  constructor(readonly path: string) {}

  load(): SandboxState | undefined {
    let raw: string;
    try {
      raw = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = JSON.parse(raw) as SandboxState;
    if (state.version !== 1) throw new Error(`${this.path}: unknown sandbox state version ${state.version}`);
    return state;
  }

  save(snapshot: () => SandboxState): Promise<void> {
    // The snapshot is taken when the write starts, so it holds the changes of every save that joined it:
    // one write per burst instead of one whole-state write per request.
    if (this.waiting) return this.waiting;
    const turn = this.queue.then(() => {
      this.waiting = undefined;
      this.write(snapshot());
    });
    this.waiting = turn;
    // A failed save must not block the ones after it; its caller still sees the error.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private write(state: SandboxState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, this.path);
  }
}
