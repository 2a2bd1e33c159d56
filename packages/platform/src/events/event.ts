import { newId } from '../ids.ts';

/**
 * An integration event. `type` is `<service>.<entity>.<verb>` (e.g. `catalog.product.updated`); it maps
 * to the JetStream subject `emporium.<type>`. Consumers deduplicate by `id`.
 */
export interface DomainEvent<T = unknown> {
  id: string;
  type: string;
  /** The aggregate the event is about, e.g. a product id. */
  subject: string;
  occurredAt: string;
  data: T;
}

export function createEvent<T>(type: string, subject: string, data: T): DomainEvent<T> {
  return { id: newId(), type, subject, occurredAt: new Date().toISOString(), data };
}

/** `catalog.>` matches every catalog event; `catalog.product.*` one token; an exact type matches itself. */
export function typeMatches(pattern: string, type: string): boolean {
  const p = pattern.split('.');
  const t = type.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}
