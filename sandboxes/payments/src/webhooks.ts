import { newId, unixSeconds } from './ids.ts';
import { signWebhookPayload } from './signature.ts';
import type { WebhookEvent, WebhookEventType } from './types.ts';

export interface WebhookConfig {
  url: string;
  secret: string;
  /** Total attempts per event, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; doubles on each further retry, capped at `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs: number;
}

export interface DeliveryAttempt {
  at: number;
  statusCode?: number;
  error?: string;
}

export interface DeliveryRecord {
  event: WebhookEvent;
  /** `skipped`: no receiver is configured, or the sandbox was closing. */
  state: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: DeliveryAttempt[];
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * Posts signed events to the receiver, retrying non-2xx answers and network errors with exponential
 * backoff a bounded number of times. Each attempt is signed afresh, so a late retry still falls inside the
 * receiver's tolerance window. Delivery is at-least-once and unordered across events, as with real
 * gateways: receivers dedupe on `event.id`.
 */
export class WebhookDispatcher {
  private readonly records = new Map<string, DeliveryRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(
    private readonly config: WebhookConfig | undefined,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  emit(type: WebhookEventType, data: WebhookEvent['data']): WebhookEvent {
    const now = this.clock();
    const event: WebhookEvent = { id: newId('evt', now), type, created: unixSeconds(now), data };
    const record: DeliveryRecord = { event, state: 'pending', attempts: [] };
    this.records.set(event.id, record);
    if (!this.config || this.closed) {
      record.state = 'skipped';
      return event;
    }
    const delivery = this.deliver(record, this.config).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return event;
  }

  list(): DeliveryRecord[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  get(eventId: string): DeliveryRecord | undefined {
    const record = this.records.get(eventId);
    return record && structuredClone(record);
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels pending retries; attempts already on the wire finish on their own timeout. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    await this.idle();
  }

  private async deliver(record: DeliveryRecord, config: WebhookConfig): Promise<void> {
    const rawBody = JSON.stringify(record.event);
    for (let attempt = 1; attempt <= config.maxAttempts && !this.closed; attempt++) {
      if (attempt > 1) await this.sleep(Math.min(config.backoffMs * 2 ** (attempt - 2), config.maxBackoffMs));
      if (this.closed) break;
      const outcome = await this.attempt(rawBody, config);
      record.attempts.push(outcome);
      if (outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300) {
        record.state = 'delivered';
        return;
      }
    }
    record.state = 'failed';
    this.log.warn({ eventId: record.event.id, attempts: record.attempts.length }, 'webhook delivery gave up');
  }

  private async attempt(rawBody: string, config: WebhookConfig): Promise<DeliveryAttempt> {
    const at = this.clock();
    try {
      const response = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'emporium-signature': signWebhookPayload(rawBody, config.secret, unixSeconds(at)),
        },
        body: rawBody,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { at, statusCode: response.status };
    } catch (err) {
      return { at, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.timers.add(entry);
    });
  }
}
