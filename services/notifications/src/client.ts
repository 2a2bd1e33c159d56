import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { NotificationRecord, NotificationsApi } from './types.ts';

export class NotificationsHttpClient implements NotificationsApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'notifications', options);
  }

  async listFor(recipientId: string, limit = 20): Promise<NotificationRecord[]> {
    const { items } = await this.http.call<{ items: NotificationRecord[] }>(
      'GET',
      `/recipients/${encodeURIComponent(recipientId)}/notifications?limit=${limit}`,
    );
    return items;
  }
}
