import { createHash } from 'node:crypto';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export interface IdempotencyEntry {
  fingerprint: string;
  response: StoredResponse;
  expiresAt: number;
}

export type Lookup = { kind: 'miss' } | { kind: 'replay'; response: StoredResponse } | { kind: 'mismatch' };

/**
 * Stored answers per idempotency key, plus a per-key lock. The lock is what makes "never acts twice" hold
 * under concurrency: a request holds its key from lookup to store, so a concurrent twin waits and then
 * finds the stored answer instead of acting again.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();
  private readonly tails = new Map<string, Promise<void>>();
  /** Keys stored since the last `takeChanges()`; undefined until the state file asks for them. */
  private changes: Set<string> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async withKey<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Call only while holding the key (inside `withKey`). */
  lookup(key: string, fingerprint: string): Lookup {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.clock()) return { kind: 'miss' };
    return entry.fingerprint === fingerprint
      ? { kind: 'replay', response: entry.response }
      : { kind: 'mismatch' };
  }

  /** Call only while holding the key (inside `withKey`). */
  store(key: string, fingerprint: string, response: StoredResponse): void {
    this.evictExpired();
    this.entries.delete(key);
    this.entries.set(key, {
      fingerprint,
      response: structuredClone(response),
      expiresAt: this.clock() + this.ttlMs,
    });
    this.changes?.add(key);
  }

  /** From now on, remember which keys get answers, for `takeChanges()`. */
  trackChanges(): void {
    this.changes ??= new Set();
  }

  /** The entries stored since the last call (those not yet expired): the state file's next line. */
  takeChanges(): [string, IdempotencyEntry][] {
    if (!this.changes) return [];
    const keys = this.changes;
    this.changes = new Set();
    const taken: [string, IdempotencyEntry][] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) taken.push([key, entry]);
    }
    return taken;
  }

  /** Unexpired entries in expiry order, for the state file. */
  snapshot(): [string, IdempotencyEntry][] {
    this.evictExpired();
    return [...this.entries];
  }

  /** Call once, before serving: entries come back in the order they were saved, which is expiry order. */
  restore(entries: [string, IdempotencyEntry][]): void {
    for (const [key, entry] of entries) this.entries.set(key, entry);
    this.evictExpired();
  }

  get size(): number {
    return this.entries.size;
  }

  // The TTL is constant and entries are re-inserted on store, so the Map's insertion order is expiry order.
  private evictExpired(): void {
    const now = this.clock();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}

/** Same method, path and JSON body (key order ignored) → same fingerprint. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body ?? {})}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
