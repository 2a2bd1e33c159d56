// Signal ingestion: behaviour events from clients and purchases from paid orders, into the log.
import type { Kysely } from 'kysely';
import type { CatalogApi } from '@emporium/catalog';
import type { OrderPaidEvent } from '@emporium/orders';
import {
  handleOnce,
  isId,
  validation,
  writeEvents,
  type DomainEvent,
  type FieldError,
} from '@emporium/platform';
import { BehaviourRecorded } from './events.ts';
import type { ProductCache } from './product-cache.ts';
import { BatchWriter } from './writer.ts';
import type { InteractionRow, RecsDB, RecsStore } from './store.ts';
import type { Actor, BehaviourEvent } from './types.ts';

export const MAX_EVENTS_PER_CALL = 50;

export class Signals {
  private readonly writer: BatchWriter;

  constructor(
    private readonly store: RecsStore,
    private readonly db: Kysely<RecsDB>,
    private readonly catalog: Pick<CatalogApi, 'getVariants'>,
    /** Which products exist: an event about any other one is dropped. */
    private readonly products: Pick<ProductCache, 'get'>,
    capPerActor: number,
    /** Told once rows are stored, before the write resolves (the serving cache drops what they change). */
    private readonly onStored: (rows: readonly InteractionRow[]) => void = () => {},
  ) {
    this.writer = new BatchWriter(async (rows) => {
      // The rows and their events commit together (outbox): analytics sees exactly what the log kept.
      await db.transaction().execute(async (trx) => {
        await store.insert(rows, trx);
        await writeEvents(trx, behaviourEvents(rows));
      });
      this.onStored(rows);
      const users = new Set<string>();
      const sessions = new Set<string>();
      for (const r of rows) {
        if (r.userId) users.add(r.userId);
        else if (r.sessionId) sessions.add(r.sessionId);
      }
      await store.enforceCaps([...users], [...sessions], capPerActor);
    });
  }

  /**
   * Validates and stores a client's events; resolves once they are in the log, with the number stored.
   * Events about products the catalog does not know are dropped, not refused: a client may send a view
   * of a product deleted a moment ago, and a log of things that never existed only costs training.
   */
  async record(actor: Actor, events: readonly BehaviourEvent[]): Promise<number> {
    const errors = problems(actor, events);
    if (errors.length > 0) throw validation('Some events are invalid', errors);
    const named = [...new Set(events.flatMap((e) => (e.type === 'search' ? [] : [e.productId!])))];
    const known = named.length > 0 ? await this.products.get(named) : new Map<string, unknown>();
    const rows: InteractionRow[] = events.flatMap((e): InteractionRow[] => {
      if (e.type === 'search') return [{ ...actor, kind: e.type, query: e.query!.trim() }];
      return known.has(e.productId!) ? [{ ...actor, kind: e.type, productId: e.productId! }] : [];
    });
    if (rows.length > 0) await this.writer.add(rows);
    return rows.length;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** A paid order's products become purchases of its customer, once per event. */
  async onOrderPaid(event: DomainEvent<OrderPaidEvent>): Promise<void> {
    const data = event.data;
    const skus = [...new Set(data.fulfilments.flatMap((f) => f.lines.map((l) => l.sku)))];
    // looked up before the transaction: a remote call must not hold the dedup transaction open
    const variants = skus.length > 0 ? await this.catalog.getVariants(skus) : [];
    const products = [...new Set(variants.map((v) => v.productId))];
    const userId = data.customerId;
    const rows: InteractionRow[] = products.map((productId) => ({
      userId,
      kind: 'purchase',
      productId,
      occurredAt: event.occurredAt,
    }));
    await handleOnce(this.db, 'recs-orders', event, (trx) => this.store.insert(rows, trx));
    this.onStored(rows);
  }
}

/** Client-reported rows only: purchases come from orders.order.paid, which others read already. */
const behaviourEvents = (rows: readonly InteractionRow[]) =>
  rows.flatMap(({ kind, ...row }) =>
    kind === 'purchase'
      ? []
      : [
          BehaviourRecorded.create(row.productId ?? 'search', {
            kind,
            ...(row.userId ? { userId: row.userId } : {}),
            ...(row.sessionId ? { sessionId: row.sessionId } : {}),
            ...(row.productId ? { productId: row.productId } : {}),
            ...(row.query ? { query: row.query } : {}),
          }),
        ],
  );

function problems(actor: Actor, events: readonly BehaviourEvent[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!actor.userId && !actor.sessionId)
    errors.push({ field: 'sessionId', message: 'required for anonymous callers (body or X-Session-Id)' });
  if (events.length === 0) errors.push({ field: 'events', message: 'must hold at least one event' });
  if (events.length > MAX_EVENTS_PER_CALL)
    errors.push({ field: 'events', message: `at most ${MAX_EVENTS_PER_CALL} events per call` });
  events.forEach((e, i) => {
    if (e.type === 'search') {
      if (!e.query?.trim()) errors.push({ field: `events/${i}/query`, message: 'a search needs a query' });
    } else if (!e.productId) {
      errors.push({ field: `events/${i}/productId`, message: `a ${e.type} needs a productId` });
    } else if (!isId(e.productId)) {
      errors.push({ field: `events/${i}/productId`, message: 'is not a product id' });
    }
  });
  return errors;
}
