/** Public entry of the analytics service: domain events exported to a sink, at least once, without personal data. */
import { defineService } from '@emporium/platform';
import { AnalyticsHttpClient } from './client.ts';
import { createAnalyticsService } from './service.ts';
import { analyticsSettings } from './settings.ts';
import type { AnalyticsApi } from './types.ts';
export type { AnalyticsApi, ExportStatus } from './types.ts';
export { createAnalyticsService, type AnalyticsOptions } from './service.ts';
export { analyticsSettings, type AnalyticsSettings } from './settings.ts';
export { EXPORTS, ExportEnvelope, isValidRecord, type ExportRecord } from './records.ts';
export { fileSink, httpSink, type AnalyticsSink } from './sinks.ts';
export { AnalyticsHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    analytics: AnalyticsApi;
  }
}

export const analyticsService = defineService({
  name: 'analytics',
  // Nothing called: everything it exports arrives as events.
  needs: {},
  publicPaths: ['/analytics'],
  settings: (env, config) => analyticsSettings(env, config),
  create: (ctx) => createAnalyticsService(ctx),
  client: (url, options) => new AnalyticsHttpClient(url, options),
});
