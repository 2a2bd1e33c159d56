import type { DomainEvent } from './event.ts';
import { typeMatches } from './event.ts';

export type EventHandler = (event: DomainEvent) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Publishes integration events and delivers them at least once to durable, named consumers. `publish`
 * resolves only once the event is safe (stored by JetStream, or handled by every in-process consumer),
 * so the outbox relay may mark it published.
 */
export interface EventBus {
  readonly backend: 'memory' | 'nats';
  publish(event: DomainEvent): Promise<void>;
  subscribe(consumer: string, patterns: string[], handler: EventHandler): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface LocalSubscription {
  consumer: string;
  patterns: string[];
  handler: EventHandler;
}

/**
 * The embedded bus: delivery is synchronous with publish, so an event the relay marks as published has
 * been handled by every consumer of this process. A failing handler fails the publish; the relay retries
 * later and consumers that had already succeeded drop the duplicate by event id.
 */
export class InProcessEventBus implements EventBus {
  readonly backend = 'memory';
  private subscriptions: LocalSubscription[] = [];

  async publish(event: DomainEvent): Promise<void> {
    const targets = this.subscriptions.filter((s) => s.patterns.some((p) => typeMatches(p, event.type)));
    const results = await Promise.allSettled(targets.map((s) => s.handler(structuredClone(event))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async subscribe(consumer: string, patterns: string[], handler: EventHandler): Promise<Subscription> {
    const subscription: LocalSubscription = { consumer, patterns, handler };
    this.subscriptions.push(subscription);
    return {
      stop: async () => {
        this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
      },
    };
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.subscriptions = [];
  }
}
