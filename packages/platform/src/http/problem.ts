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

function fieldsOfValidation(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const field = [error.validationContext, path, missing].filter(Boolean).join('.');
    return { field, message: v.message ?? 'is invalid' };
  });
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
    return sendProblem(reply, 400, `Invalid ${error.validationContext ?? 'request'}: ${error.message}`, {
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
