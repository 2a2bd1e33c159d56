import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Logger } from 'pino';
import type { EventBus, Subscription } from './bus.ts';
import { createEvent, typeMatches, type DomainEvent } from './event.ts';

/**
 * An integration event, declared once by the service that publishes it: its type (or type pattern, for a
 * family such as `catalog.product.*`) and the schema of its data. Publishers build events from it and
 * consumers subscribe to it, so neither side casts `event.data`.
 */
export interface EventDefinition<S extends TSchema> {
  /** An exact type, or a pattern (`*` one token, `>` the rest) for a family of events sharing one schema. */
  readonly type: string;
  readonly schema: S;
  create(subject: string, data: Static<S>, type?: string): DomainEvent<Static<S>>;
  /** True when the event is of this definition's type and its data fits the schema. */
  is(event: DomainEvent): event is DomainEvent<Static<S>>;
}

export function defineEvent<S extends TSchema>(type: string, schema: S): EventDefinition<S> {
  const validator = Compile(schema);
  return {
    type,
    schema,
    create: (subject, data, exact = type) => createEvent(exact, subject, data),
    is: (event): event is DomainEvent<Static<S>> =>
      typeMatches(type, event.type) && validator.Check(event.data),
  };
}

/**
 * Subscribes a handler to one event definition. An event whose data does not fit the schema (an older
 * publisher, a bug) is logged and skipped rather than retried forever: redelivery cannot mend it.
 */
export function subscribeTo<S extends TSchema>(
  bus: EventBus,
  consumer: string,
  definition: EventDefinition<S>,
  handler: (event: DomainEvent<Static<S>>) => Promise<void>,
  logger: Pick<Logger, 'warn'>,
): Promise<Subscription> {
  return bus.subscribe(consumer, [definition.type], async (event) => {
    if (definition.is(event)) return handler(event);
    logger.warn({ consumer, eventId: event.id, type: event.type }, 'event does not fit its schema; skipped');
  });
}
