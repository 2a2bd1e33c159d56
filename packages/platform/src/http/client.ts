import type { AuthUser } from '../auth.ts';
import { AppError, type ErrorKind, statusOfKind } from '../errors.ts';
import type { ServiceTokens } from '../service-auth.ts';

/** What every service's typed HTTP client takes besides its base URL. */
export interface ServiceClientOptions {
  timeoutMs?: number;
  /** Signs the service token of every call; without it the internal routes answer 401. */
  tokens?: ServiceTokens;
}

export interface HttpClientOptions extends ServiceClientOptions {
  baseUrl: string;
  /** Extra attempts for idempotent calls only; a POST that timed out may have acted. */
  retries?: number;
  /** The service whose internal routes this client calls: the audience of its service tokens. */
  service?: string;
}

export interface CallOptions {
  idempotent?: boolean;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** The user this call acts for, carried in the signed service token (never in the body). */
  actor?: AuthUser;
}

/** The transport of a service's internal routes, at `<baseUrl>/internal/<service>`. */
export function internalClient(baseUrl: string, service: string, options: ServiceClientOptions = {}) {
  return new ServiceHttpClient({ ...options, baseUrl: `${baseUrl}/internal/${service}`, service });
}

const kindOfStatus = new Map<number, ErrorKind>(
  Object.entries(statusOfKind).map(([kind, status]) => [status, kind as ErrorKind]),
);

/**
 * The transport under every service's typed HTTP client. A problem+json answer becomes the same AppError
 * the in-process implementation would have thrown, so callers cannot tell where the service runs.
 */
export class ServiceHttpClient {
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(private readonly options: HttpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 2;
  }

  async call<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'PUT' || method === 'DELETE');
    const attempts = idempotent ? this.retries + 1 : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      try {
        return await this.once<T>(method, path, body, options);
      } catch (error) {
        lastError = error;
        if (error instanceof AppError && error.kind !== 'Unavailable') throw error;
      }
    }
    throw lastError;
  }

  private async once<T>(method: string, path: string, body: unknown, options: CallOptions): Promise<T> {
    const url = new URL(this.options.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const { service, tokens } = this.options;
    const token = service && tokens ? await tokens.issue(service, options.actor) : undefined;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('Unavailable', `${url.host} did not answer: ${(error as Error).message}`);
    }
    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok) return payload as T;
    const problem = (payload ?? {}) as { detail?: string; errors?: []; [key: string]: unknown };
    const kind = kindOfStatus.get(response.status) ?? (response.status >= 500 ? 'Unavailable' : 'Validation');
    throw new AppError(kind, problem.detail ?? `${method} ${path} answered ${response.status}`, {
      ...problem,
      fields: problem.errors,
    });
  }
}
