import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { typeMatches, type DomainEvent } from './event.ts';
import type { EventBus, EventHandler, Subscription } from './bus.ts';

export interface JetStreamOptions {
  stream?: string;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
  onHandlerError?: (error: unknown, event: DomainEvent) => void;
  /** Subjects are `<prefix><event type>`; streams may not overlap, so test streams use their own prefix. */
  subjectPrefix?: string;
  /** Tests remove their stream when they close. */
  deleteStreamOnClose?: boolean;
}

/** Durable pull consumers with explicit ack: a consumer that dies before acking gets the message again. */
export class JetStreamEventBus implements EventBus {
  readonly backend = 'nats';
  private readonly stream: string;
  private readonly ackWaitMs: number;
  private readonly prefix: string;
  private readonly active = new Set<Subscription>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: JetStreamOptions,
  ) {
    this.stream = options.stream ?? 'EMPORIUM';
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.prefix = options.subjectPrefix ?? 'emporium.';
  }

  static async connect(url: string, options: JetStreamOptions = {}): Promise<JetStreamEventBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, timeout: 5_000 });
    } catch (error) {
      throw new Error(`cannot connect to NATS_URL: ${(error as Error).message}`);
    }
    const jsm = await jetstreamManager(nc);
    const bus = new JetStreamEventBus(nc, jetstream(nc), jsm, options);
    await bus.ensureStream();
    return bus;
  }

  private async ensureStream(): Promise<void> {
    const subjects = [`${this.prefix}>`];
    try {
      await this.jsm.streams.info(this.stream);
    } catch {
      try {
        // The duplicate window makes a relay that republishes after a crash a no-op at the server too.
        await this.jsm.streams.add({ name: this.stream, subjects, duplicate_window: nanos(120_000) });
      } catch (error) {
        // Another process may have created it between our two calls.
        await this.jsm.streams.info(this.stream).catch(() => Promise.reject(error));
      }
    }
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.js.publish(this.prefix + event.type, JSON.stringify(event), { msgID: event.id });
  }

  async subscribe(consumer: string, patterns: string[], handler: EventHandler): Promise<Subscription> {
    const durable = consumer.replace(/[^A-Za-z0-9_-]/g, '_');
    await this.jsm.consumers.add(this.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      // One subject filter works on every JetStream server; several patterns are narrowed client-side.
      filter_subject: patterns.length === 1 ? this.prefix + patterns[0] : `${this.prefix}>`,
    });
    const pull = await this.js.consumers.get(this.stream, durable);
    const messages = await pull.consume({ max_messages: 64 });
    const loop = this.deliver(messages, patterns, handler).catch((error: unknown) => {
      // The connection closing under a running loop ends it; anything else is worth a log line.
      if (!this.nc.isClosed())
        this.options.onHandlerError?.(error, {
          id: '',
          type: 'consume',
          subject: '',
          occurredAt: '',
          data: null,
        });
    });
    const subscription: Subscription = {
      stop: async () => {
        this.active.delete(subscription);
        await messages.close();
        await loop;
      },
    };
    this.active.add(subscription);
    return subscription;
  }

  private async deliver(
    messages: AsyncIterable<JsMsg>,
    patterns: string[],
    handler: EventHandler,
  ): Promise<void> {
    for await (const message of messages) {
      const event = message.json<DomainEvent>();
      if (!patterns.some((p) => typeMatches(p, event.type))) {
        message.ack();
        continue;
      }
      try {
        await handler(event);
        message.ack();
      } catch (error) {
        this.options.onHandlerError?.(error, event);
        message.nak(Math.min(30_000, 500 * message.info.deliveryCount));
      }
    }
  }

  async ping(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    await Promise.all([...this.active].map((s) => s.stop().catch(() => undefined)));
    if (this.options.deleteStreamOnClose) await this.jsm.streams.delete(this.stream).catch(() => undefined);
    await this.nc.drain();
  }
}
