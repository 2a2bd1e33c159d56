/**
 * Domain errors are values with a kind; the HTTP layer is the only place that maps a kind to a status
 * and a problem+json body (RFC 9457).
 */
export type ErrorKind =
  | 'Validation'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'Unprocessable'
  | 'PaymentDeclined'
  | 'TooManyRequests'
  | 'Unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: { fields?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = `${kind}Error`;
  }
}

export const statusOfKind: Record<ErrorKind, number> = {
  Validation: 400,
  Unauthorized: 401,
  PaymentDeclined: 402,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  // Well-formed but contradicting what was already done, e.g. an Idempotency-Key reused with another body.
  Unprocessable: 422,
  TooManyRequests: 429,
  Unavailable: 503,
};

export const validation = (message: string, fields: FieldError[] = []) =>
  new AppError('Validation', message, { fields });
export const notFound = (what: string) => new AppError('NotFound', `${what} was not found`);
export const forbidden = (message = 'You may not do this') => new AppError('Forbidden', message);
export const unauthorized = (message = 'Authentication required') => new AppError('Unauthorized', message);
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('Conflict', message, details);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
