import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, statusOfKind, type FieldError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extra: Partial<Problem> = {},
) {
  const problem: Problem = {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: reply.request.url,
    ...extra,
  };
  return reply.code(status).type('application/problem+json').send(problem);
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** What a person should read for a schema refusal: "is required", not "must have required property". */
function messageOf(v: SchemaError): string {
  const p = v.params;
  switch (v.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field of this request';
    case 'type':
      return `must be ${String(p.type).startsWith('i') ? 'an' : 'a'} ${String(p.type)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'format':
      return p.format === 'uuid' ? 'must be a UUID' : `must be a valid ${String(p.format)}`;
    case 'pattern':
      return `has the wrong format (expected ${String(p.pattern)})`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    default:
      return v.message ?? 'is invalid';
  }
}

/**
 * One entry per field at fault. A missing or unknown member is named by its own path; a choice of
 * constants (a TypeBox union of literals) is one "must be one of ..." rather than one line per literal.
 */
function fieldsOfValidation(error: FastifyError): FieldError[] {
  const all = (error.validation ?? []) as SchemaError[];
  const choices = new Map<string, unknown[]>();
  for (const v of all)
    if (v.keyword === 'const')
      choices.set(v.instancePath, [...(choices.get(v.instancePath) ?? []), v.params.allowedValue]);
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const v of all) {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const member = (v.params.missingProperty ?? v.params.additionalProperty) as string | undefined;
    const field = [error.validationContext, path, member].filter(Boolean).join('.');
    const allowed = choices.get(v.instancePath);
    const message =
      allowed && (v.keyword === 'const' || v.keyword === 'anyOf')
        ? `must be one of ${allowed.join(', ')}`
        : messageOf(v);
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) out.push({ field, message });
    seen.add(key);
  }
  return out;
}

/** The one place that turns an error into an HTTP status and a problem+json body. */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isAppError(error)) {
    const { fields, ...rest } = error.details;
    return sendProblem(reply, statusOfKind[error.kind], error.message, {
      ...rest,
      ...(fields && fields.length > 0 ? { errors: fields } : {}),
    });
  }
  if (error.validation) {
    const errors = fieldsOfValidation(error);
    const summary = errors.map((e) => `${e.field} ${e.message}`).join('; ');
    return sendProblem(reply, 400, `Invalid ${error.validationContext ?? 'request'}: ${summary}`, {
      errors,
    });
  }
  const status = error.statusCode ?? 500;
  // Plugins (rate limit, body parser) throw objects with a status and a message or detail.
  const detail = error.message || (error as { detail?: string }).detail || 'The request was refused';
  if (status >= 400 && status < 500) return sendProblem(reply, status, detail);
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, 500, 'An unexpected error occurred; it has been logged.');
}

/** The JSON Schema of a problem+json body (RFC 9457), for API descriptions. */
export const ProblemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'One entry per field at fault',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** What each error status means in an API description. */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input (the `errors` list names each field at fault); nothing was changed',
  401: 'No valid access token',
  402: 'The payment was declined',
  403: 'The caller may not do this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'Understood but not processable (e.g. the same Idempotency-Key with a different body)',
  429: 'Too many requests; retry after the Retry-After header',
  500: 'Unexpected error',
  503: 'A service this operation needs is unavailable',
};
