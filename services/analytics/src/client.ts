import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type { AnalyticsApi, ExportStatus } from './types.ts';

export class AnalyticsHttpClient implements AnalyticsApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'analytics', options);
  }

  status(): Promise<ExportStatus> {
    return this.http.call<ExportStatus>('GET', '/status');
  }
}
