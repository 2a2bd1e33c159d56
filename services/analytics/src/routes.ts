import { Type } from 'typebox';
import type { HttpServer } from '@emporium/platform';
import type { AnalyticsApi } from './types.ts';

const StatusT = Type.Object({
  sink: Type.String(),
  pending: Type.Integer(),
  oldestPending: Type.Optional(Type.String()),
});

export function analyticsRoutes(api: AnalyticsApi) {
  return async (app: HttpServer) => {
    app.get(
      '/analytics/status',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Where the analytics export stands: the sink and what it has not acknowledged (admin)',
          response: { 200: StatusT },
        },
        config: { auth: 'admin' },
      },
      async () => api.status(),
    );
  };
}

export function analyticsInternalRoutes(api: AnalyticsApi) {
  return async (app: HttpServer) => {
    app.get('/status', { schema: { hide: true, response: { 200: StatusT } } }, async () => api.status());
  };
}
