import { mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
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

/** Records as they now stand, each replacing the one with its id (or key); written as one journal line. */
export interface StateChange {
  authorizations?: Authorization[];
  refunds?: Refund[];
  idempotency?: [string, IdempotencyEntry][];
}

export interface StateFileOptions {
  /**
   * Compact once the journal holds this many bytes and more than the snapshot it follows, so each change
   * costs its own size and compaction, amortised, a constant factor more. Default 1 MiB.
   */
  compactAfterBytes?: number;
}

export interface LoadedState {
  state: SandboxState;
  /** Bytes cut off the end: the last write of a process that crashed before it was acknowledged. */
  discardedBytes: number;
}

/**
 * The sandbox's state on disk, so that a restart forgets nothing a real gateway would remember (a paid
 * order must still be refundable). The file is JSON lines: an optional snapshot first, then one line per
 * change. A change is appended, never rewritten: its cost is its size, not the state's.
 *
 * - Group commit: changes recorded while a write is on its way are written together by the next one,
 *   with one fsync; `commit()` resolves once what was recorded before it is on disk.
 * - Crash: writes only append, and a batch is written only after the previous one is fsynced, so a crash
 *   can damage only the last, unacknowledged batch. Loading stops at the first line that is cut short or
 *   does not parse, and cuts it and what follows off the file.
 * - Compaction: when the journal has grown past its threshold, the whole state is written to a temporary
 *   file, fsynced and renamed over the journal: a crash leaves either the old file or the new, whole.
 */
export class StateFile {
  private readonly compactAfterBytes: number;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  /** The last line loaded had no newline (a file from before the journal): the next write starts with one. */
  private separator = '';
  /** Bytes on disk that are known good: where a failed write is cut back to. */
  private fileBytes = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private queue: Promise<void> = Promise.resolve();
  /** The commit waiting for its turn, not yet started: later commits share it. */
  private waiting: Promise<void> | undefined;

  constructor(
    readonly path: string,
    options: StateFileOptions = {},
  ) {
    this.compactAfterBytes = options.compactAfterBytes ?? 1 << 20;
  }

  /** Call once, before the first `record`: the state the file holds, replayed. */
  load(): LoadedState | undefined {
    let raw: Buffer;
    try {
      raw = readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const replay = new Replay();
    let valid = 0;
    let needsNewline = false;
    while (valid < raw.length) {
      const end = raw.indexOf(0x0a, valid);
      const line = raw.subarray(valid, end === -1 ? raw.length : end);
      // A whole JSON object cannot be cut short and still parse, so a line that parses is complete even
      // without its newline (a file written before the journal is one object with none).
      if (!replay.apply(line.toString('utf8'), valid === 0)) break;
      if (valid === 0 && replay.startedFromSnapshot) this.snapshotBytes = line.length + 1;
      valid = end === -1 ? raw.length : end + 1;
      needsNewline = end === -1;
    }
    if (valid < raw.length) truncateSync(this.path, valid);
    if (needsNewline) this.separator = '\n';
    this.fileBytes = valid;
    this.journalBytes = valid - this.snapshotBytes;
    return { state: replay.state(), discardedBytes: raw.length - valid };
  }

  /** Queues a change for the next commit; a change with nothing in it is dropped. */
  record(change: StateChange): void {
    const line: StateChange = {};
    if (change.authorizations?.length) line.authorizations = change.authorizations;
    if (change.refunds?.length) line.refunds = change.refunds;
    if (change.idempotency?.length) line.idempotency = change.idempotency;
    if (Object.keys(line).length > 0) this.pending.push(JSON.stringify(line));
  }

  /**
   * Resolves once every change recorded before the call is on disk. Commits made while one waits for its
   * turn share it. `snapshot` gives the whole state, for when the journal is due for compaction.
   */
  commit(snapshot: () => SandboxState): Promise<void> {
    if (this.waiting) return this.waiting;
    const turn = this.queue.then(async () => {
      this.waiting = undefined;
      await this.writePending();
      if (this.journalBytes >= this.compactAfterBytes && this.journalBytes > this.snapshotBytes) {
        await this.compact(snapshot());
      }
    });
    this.waiting = turn;
    // A failed commit must not block the ones after it; its callers still see the error.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Waits for the commits under way and closes the file. */
  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    const bytes = Buffer.from(this.separator + lines.map((l) => `${l}\n`).join(''), 'utf8');
    const handle = await this.journal();
    try {
      await handle.write(bytes, 0, bytes.length, null);
      await handle.datasync();
    } catch (error) {
      // Not on disk: cut off whatever part did land, so the next write does not follow half a line, and
      // keep the lines for the next commit, whose callers then learn whether it worked.
      this.pending = [...lines, ...this.pending];
      await handle.truncate(this.fileBytes);
      throw error;
    }
    this.separator = '';
    this.fileBytes += bytes.length;
    this.journalBytes += bytes.length;
  }

  private async compact(state: SandboxState): Promise<void> {
    const text = `${JSON.stringify(state)}\n`;
    const temporary = `${this.path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text, 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    await rename(temporary, this.path);
    await syncDirectory(dirname(this.path));
    this.separator = '';
    this.snapshotBytes = Buffer.byteLength(text);
    this.fileBytes = this.snapshotBytes;
    this.journalBytes = 0;
  }

  private async journal(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    mkdirSync(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a');
    // A file just created exists only once its directory entry is on disk too.
    await syncDirectory(dirname(this.path));
    return this.handle;
  }
}

/** Applies snapshot and change lines in file order; a later version of a record replaces the earlier. */
class Replay {
  private readonly authorizations = new Map<string, Authorization>();
  private readonly refunds = new Map<string, Refund>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();
  startedFromSnapshot = false;

  /** False when the line is not a whole, well-formed record: the journal ends before it. */
  apply(line: string, first: boolean): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return false;
    }
    if (!isRecord(parsed)) return false;
    if ('version' in parsed) {
      if (!first) return false;
      if (parsed['version'] !== 1)
        throw new Error(`unknown sandbox state version ${String(parsed['version'])}`);
      this.startedFromSnapshot = true;
    }
    const { authorizations = [], refunds = [], idempotency = [] } = parsed as StateChange;
    if (!Array.isArray(authorizations) || !Array.isArray(refunds) || !Array.isArray(idempotency))
      return false;
    for (const auth of authorizations) this.authorizations.set(auth.id, auth);
    for (const refund of refunds) this.refunds.set(refund.id, refund);
    for (const [key, entry] of idempotency) {
      // Re-inserted at the end: the store relies on insertion order being expiry order.
      this.idempotency.delete(key);
      this.idempotency.set(key, entry);
    }
    return true;
  }

  state(): SandboxState {
    return {
      version: 1,
      authorizations: [...this.authorizations.values()],
      refunds: [...this.refunds.values()],
      idempotency: [...this.idempotency],
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
