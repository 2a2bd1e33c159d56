// The caller's recent events kept in process between requests: reading them was one SQL round trip per
// request on the single PGlite connection. Every write of this process drops the writer's entries before the
// write resolves (read-your-writes), and a load that overlapped any write is not kept, so a stale read can
// only come from another process's write and lasts at most the TTL.
import type { ContextRow } from './store.ts';

export interface ActorKey {
  userId?: string;
  sessionId?: string;
}

interface Entry {
  rows: readonly ContextRow[];
  until: number;
  actor: ActorKey;
}

export class ContextCache {
  private readonly entries = new Map<string, Entry>();
  /** Entry keys by `u:<userId>` / `s:<sessionId>`, to drop every entry a write touches. */
  private readonly byActor = new Map<string, Set<string>>();
  private epoch = 0;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 20_000,
  ) {}

  async get(actor: ActorKey, load: () => Promise<readonly ContextRow[]>): Promise<readonly ContextRow[]> {
    if (this.ttlMs <= 0) return load();
    const key = `${actor.userId ?? ''}\u0000${actor.sessionId ?? ''}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.rows;
    const epoch = this.epoch;
    const rows = await load();
    // a write landed while loading: these rows may predate it
    if (epoch === this.epoch) this.remember(key, { rows, until: now + this.ttlMs, actor });
    return rows;
  }

  /** Drops what the actors' new events make stale; call once the events are stored. */
  invalidate(userIds: Iterable<string>, sessionIds: Iterable<string>): void {
    this.epoch++;
    for (const id of userIds) this.dropIndex(`u:${id}`);
    for (const id of sessionIds) this.dropIndex(`s:${id}`);
  }

  private dropIndex(actorKey: string): void {
    const keys = this.byActor.get(actorKey);
    if (!keys) return;
    for (const key of keys) this.drop(key);
    this.byActor.delete(actorKey);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const a of actorKeys(entry.actor)) {
      const keys = this.byActor.get(a);
      keys?.delete(key);
      if (keys?.size === 0) this.byActor.delete(a);
    }
  }

  private remember(key: string, entry: Entry): void {
    this.drop(key);
    this.entries.set(key, entry);
    for (const a of actorKeys(entry.actor)) {
      let keys = this.byActor.get(a);
      if (!keys) this.byActor.set(a, (keys = new Set()));
      keys.add(key);
    }
    // Map keeps insertion order: the first key is the least recently stored
    if (this.entries.size > this.maxEntries) this.drop(this.entries.keys().next().value!);
  }
}

function actorKeys(actor: ActorKey): string[] {
  const out: string[] = [];
  if (actor.userId) out.push(`u:${actor.userId}`);
  if (actor.sessionId) out.push(`s:${actor.sessionId}`);
  return out;
}
