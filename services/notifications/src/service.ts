import {
  loadMigrations,
  subscribeTo,
  type ServiceContext,
  type ServiceModule,
  type Subscription,
} from '@emporium/platform';
import { Delivery, type DeliveryDeps, type DeliveryOptions } from './delivery.ts';
import { NOTICE_RULES } from './notices.ts';
import { fileNotifier, smtpNotifier } from './notifiers.ts';
import { notificationInternalRoutes, notificationRoutes } from './routes.ts';
import type { NotificationSettings } from './settings.ts';
import { NotificationsStore, type NotificationRow, type NotificationsDB } from './store.ts';
import type { NotificationRecord, NotificationsApi, Notifier } from './types.ts';

export interface NotificationsOptions extends DeliveryOptions {
  /** How often due notices (retries, ones a dead sender held) are looked for; 0 disables the job. */
  deliveryIntervalMs?: number;
  /** Replaces the notifier the settings choose (tests). */
  notifier?: Notifier;
  /** The schema of the sent-log, `notifications` unless a suite sharing a database needs its own. */
  schema?: string;
}

export async function createNotificationsService(
  ctx: ServiceContext & { settings: NotificationSettings },
  deps: DeliveryDeps,
  options: NotificationsOptions = {},
): Promise<{ module: ServiceModule; api: NotificationsApi & { delivery: Delivery } }> {
  const { infra, settings } = ctx;
  const log = infra.logger.child({ service: 'notifications' });
  const schema = options.schema ?? 'notifications';
  await infra.db.migrate(schema, await loadMigrations(new URL('../migrations', import.meta.url).pathname));
  const store = new NotificationsStore(infra.db.forSchema<NotificationsDB>(schema));
  const notifier =
    options.notifier ?? (settings.smtpUrl ? smtpNotifier(settings.smtpUrl) : fileNotifier(settings.mailDir));
  const delivery = new Delivery(store, notifier, deps, settings, log, options);

  // Subscribed while services are built, before any relay publishes. Recording a notice is one insert
  // keyed by (event, recipient); sending happens after, so a slow mail server never holds up the bus.
  const subscriptions: Subscription[] = [];
  for (const rule of NOTICE_RULES)
    subscriptions.push(
      await subscribeTo(
        infra.bus,
        `notifications-${rule.name}`,
        rule.event,
        async (event) => {
          if ((await store.enqueue(event, rule.notices(event))) > 0) delivery.kick();
        },
        log,
      ),
    );

  const api = {
    delivery,
    listFor: async (recipientId: string, limit = 20) =>
      (await store.listFor(recipientId, limit)).map(toRecord),
  };
  const module: ServiceModule = {
    name: 'notifications',
    routes: notificationRoutes(api),
    internalRoutes: notificationInternalRoutes(api),
    jobs: [
      {
        name: 'notifications.delivery',
        everyMs: options.deliveryIntervalMs ?? 2_000,
        // Every process may send: each notice is claimed under its own lease (skip locked).
        exclusive: false,
        runAtStart: true,
        run: async () => void (await delivery.deliverDue()),
      },
    ],
    async stop() {
      for (const s of subscriptions) await s.stop();
      await delivery.deliverDue().catch(() => undefined);
      await notifier.close();
    },
  };
  return { module, api };
}

const iso = (d: string) => new Date(d).toISOString();

function toRecord(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    kind: row.kind,
    orderId: row.order_id,
    status: row.status,
    ...(row.subject ? { subject: row.subject } : {}),
    createdAt: iso(row.created_at),
    ...(row.sent_at ? { sentAt: iso(row.sent_at) } : {}),
  };
}
