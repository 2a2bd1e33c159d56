import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { GatewayError } from './types.ts';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; message: string }[];
}

const STATUS_OF: Record<GatewayError['kind'], number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  idempotency_mismatch: 422,
  server_error: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

export function problem(status: number, code: string, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: `https://emporium.dev/problems/payments-sandbox/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

export function problemOf(error: GatewayError): Problem {
  return problem(STATUS_OF[error.kind], error.code, error.detail);
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_TYPE).send(body);
}

/** Schema, parse and routing errors become problem+json; only unexpected errors are a 500. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const errors = error.validation.map((v) => ({
        field: fieldOf(error.validationContext ?? 'body', v.instancePath, v.params),
        message: v.message ?? 'is invalid',
      }));
      return sendProblem(
        reply,
        problem(400, 'invalid_request', 'The request does not match the schema.', errors),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return sendProblem(reply, problem(status, 'invalid_request', error.message));
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal_error', 'The sandbox failed unexpectedly.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'route_not_found', `No route ${request.method} ${request.url}.`)),
  );
}

function fieldOf(context: string, instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra =
    typeof params['missingProperty'] === 'string'
      ? params['missingProperty']
      : typeof params['additionalProperty'] === 'string'
        ? params['additionalProperty']
        : '';
  const full = [path, extra].filter(Boolean).join('.');
  return full ? `${context}.${full}` : context;
}
