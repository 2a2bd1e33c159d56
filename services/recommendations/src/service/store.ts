// Persistence of the `recs` schema: the interaction log, its caps and retention, trending, model records.
import { sql, type Generated, type Kysely } from 'kysely';
import type { OutboxTables } from '@emporium/platform';
import type { InteractionKind, ModelInfo } from './types.ts';

export interface RecsDB extends OutboxTables {
  interactions: {
    id: Generated<number>;
    user_id: string | null;
    session_id: string | null;
    kind: InteractionKind;
    product_id: string | null;
    query: string | null;
    occurred_at: Generated<string>;
  };
  model_versions: {
    version: string;
    kind: string;
    trained_at: string;
    users: number;
    items: number;
    interactions: number;
    train_ms: number;
    last_interaction_id: number;
    artifact: string;
  };
}

export interface InteractionRow {
  userId?: string;
  sessionId?: string;
  kind: InteractionKind;
  productId?: string;
  query?: string;
  /** Server time unless given (tests and imports). */
  occurredAt?: string;
}

export interface ContextRow {
  productId: string;
  kind: InteractionKind;
  /** True when the row belongs to the caller's current session rather than their older history. */
  inSession: boolean;
}

/** Weights of each kind in trending: intent grows from a view to a purchase. */
const TREND_WEIGHT = sql`case kind when 'purchase' then 5 when 'add_to_cart' then 3 else 1 end`;

export class RecsStore {
  private readonly table = sql.table('recs.interactions');

  constructor(private readonly db: Kysely<RecsDB>) {}

  async insert(rows: readonly InteractionRow[], trx: Kysely<RecsDB> = this.db): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('interactions')
      .values(
        rows.map((r) => ({
          user_id: r.userId ?? null,
          session_id: r.sessionId ?? null,
          kind: r.kind,
          product_id: r.productId ?? null,
          query: r.query ?? null,
          ...(r.occurredAt ? { occurred_at: r.occurredAt } : {}),
        })),
      )
      .execute();
  }

  /**
   * Keeps the newest `cap` behaviour rows of each given user and anonymous session. Purchases are not
   * counted: they decide what is never recommended again, so they live until retention drops them.
   */
  async enforceCaps(userIds: string[], sessionIds: string[], cap: number): Promise<number> {
    let removed = 0;
    if (userIds.length > 0) {
      const r = await sql`delete from ${this.table} where id in (
          select id from (select id, row_number() over (partition by user_id order by id desc) as n
            from ${this.table} where user_id = any(${userIds}) and kind <> 'purchase') ranked
          where n > ${cap})`.execute(this.db);
      removed += Number(r.numAffectedRows ?? 0);
    }
    if (sessionIds.length > 0) {
      const r = await sql`delete from ${this.table} where id in (
          select id from (select id, row_number() over (partition by session_id order by id desc) as n
            from ${this.table} where session_id = any(${sessionIds}) and user_id is null) ranked
          where n > ${cap})`.execute(this.db);
      removed += Number(r.numAffectedRows ?? 0);
    }
    return removed;
  }

  /** Deletes rows older than the retention, in bounded chunks so the sweep never holds long locks. */
  async sweep(retentionDays: number, chunk = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await sql`delete from ${this.table} where id in (
          select id from ${this.table} where occurred_at < now() - make_interval(days => ${retentionDays})
          limit ${chunk})`.execute(this.db);
      const n = Number(r.numAffectedRows ?? 0);
      total += n;
      if (n < chunk) return total;
    }
  }

  /** The caller's recent item events (newest first) and every product they bought, in one round trip. */
  async context(actor: { userId?: string; sessionId?: string }, recent: number): Promise<ContextRow[]> {
    const u = actor.userId ?? null;
    const s = actor.sessionId ?? null;
    const rows = await sql<{ product_id: string; kind: InteractionKind; in_session: boolean; id: number }>`
      (select product_id, kind, coalesce(session_id = ${s}, false) as in_session, id from ${this.table}
        where user_id = ${u} and product_id is not null order by id desc limit ${recent})
      union all
      (select product_id, kind, true, id from ${this.table}
        where session_id = ${s} and user_id is null and product_id is not null order by id desc limit ${recent})
      union all
      (select product_id, 'purchase', false, max(id) from ${this.table}
        where user_id = ${u} and kind = 'purchase' group by product_id)`.execute(this.db);
    return rows.rows
      .sort((a, b) => b.id - a.id)
      .map((r) => ({ productId: r.product_id, kind: r.kind, inSession: r.in_session }));
  }

  /** Products by recent demand: kind-weighted events with exponential time decay. */
  async trending(
    windowDays: number,
    halfLifeHours: number,
    limit: number,
  ): Promise<{ id: string; score: number }[]> {
    const rows = await sql<{ product_id: string; score: number }>`
      select product_id, sum(${TREND_WEIGHT} * exp(-ln(2) * extract(epoch from now() - occurred_at) / ${
        halfLifeHours * 3600
      }))::float8 as score
      from ${this.table}
      where occurred_at > now() - make_interval(days => ${windowDays}) and product_id is not null
      group by product_id order by score desc, product_id limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ id: r.product_id, score: Number(r.score) }));
  }

  /**
   * The log as sequences: one per actor (user, else anonymous session), items in time order, read in
   * id-ordered pages so a large log never arrives as one result.
   */
  async readSequences(
    page = 50_000,
    progress?: (rows: number) => void,
  ): Promise<{ rows: { user: string; items: string[] }[]; lastId: number; total: number }> {
    const byActor = new Map<string, string[]>();
    let lastId = 0;
    let total = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('interactions')
        .select(['id', 'user_id', 'session_id', 'product_id'])
        .where('product_id', 'is not', null)
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(page)
        .execute();
      for (const r of rows) {
        const actor = r.user_id ?? `s:${r.session_id}`;
        const seq = byActor.get(actor) ?? [];
        // a repeated view of the same product adds no sequence information
        if (seq.at(-1) !== r.product_id) seq.push(r.product_id!);
        byActor.set(actor, seq);
      }
      total += rows.length;
      if (rows.length > 0) lastId = rows.at(-1)!.id;
      progress?.(total);
      if (rows.length < page) break;
    }
    return { rows: [...byActor].map(([user, items]) => ({ user, items })), lastId, total };
  }

  async lastInteractionId(): Promise<number> {
    const row = await this.db
      .selectFrom('interactions')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async recordModel(info: ModelInfo, lastInteractionId: number, artifact: string): Promise<void> {
    await this.db
      .insertInto('model_versions')
      .values({
        version: info.version,
        kind: info.kind,
        trained_at: info.trainedAt,
        users: info.users,
        items: info.items,
        interactions: info.interactions,
        train_ms: info.trainMs,
        last_interaction_id: lastInteractionId,
        artifact,
      })
      .onConflict((oc) => oc.column('version').doNothing())
      .execute();
  }

  async modelRecord(version: string): Promise<{ lastInteractionId: number } | undefined> {
    const row = await this.db
      .selectFrom('model_versions')
      .select('last_interaction_id')
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? { lastInteractionId: Number(row.last_interaction_id) } : undefined;
  }
}
