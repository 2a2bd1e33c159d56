import type { HttpServer } from '@emporium/platform';
import { GOOD_PASSWORD, uniqueEmail } from './harness.ts';

/** Small request helpers so tests read as the API calls they make. */
export function client(app: HttpServer, remoteAddress = '127.0.0.1') {
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    payload?: unknown,
    token?: string,
  ) =>
    app.inject({
      method,
      url,
      remoteAddress,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  return {
    call,
    register: (body: Record<string, unknown> = {}) =>
      call('POST', '/api/v1/auth/register', {
        email: uniqueEmail(),
        password: GOOD_PASSWORD,
        name: 'Ann Example',
        role: 'customer',
        ...body,
      }),
    login: (email: string, password = GOOD_PASSWORD) =>
      call('POST', '/api/v1/auth/login', { email, password }),
    refresh: (refreshToken: string) => call('POST', '/api/v1/auth/refresh', { refreshToken }),
    logout: (refreshToken: string) => call('POST', '/api/v1/auth/logout', { refreshToken }),
    me: (token: string) => call('GET', '/api/v1/me', undefined, token),
  };
}

export interface SessionBody {
  user: { id: string; email: string; role: string; name: string };
  accessToken: string;
  refreshToken: string;
}
