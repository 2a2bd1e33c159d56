/** Public entry of the notifications service: e-mails to customers and sellers, driven by domain events. */
import { defineService, requires } from '@emporium/platform';
import type {} from '@emporium/orders';
import type {} from '@emporium/users';
import { NotificationsHttpClient } from './client.ts';
import { createNotificationsService } from './service.ts';
import { notificationSettings } from './settings.ts';
import type { NotificationsApi } from './types.ts';
export type {
  Audience,
  DeliveryStatus,
  NoticeKind,
  NotificationRecord,
  NotificationsApi,
  Notifier,
  OutgoingMessage,
} from './types.ts';
export { createNotificationsService, type NotificationsOptions } from './service.ts';
export { notificationSettings, type NotificationSettings } from './settings.ts';
export { fileNotifier, smtpNotifier } from './notifiers.ts';
export { NotificationsHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    notifications: NotificationsApi;
  }
}

export const notificationsService = defineService({
  name: 'notifications',
  // Users for where to write (e-mail, name), orders for what to say (lines, totals, address).
  needs: { users: requires('users'), orders: requires('orders') },
  publicPaths: ['/notifications'],
  settings: (env, config) => notificationSettings(env, config),
  create: (ctx, deps) => createNotificationsService(ctx, deps),
  client: (url, options) => new NotificationsHttpClient(url, options),
});
