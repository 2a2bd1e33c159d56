import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { newId } from '../ids.ts';
import { validation } from '../errors.ts';
import { problemErrorHandler, sendProblem, type Problem } from './problem.ts';
import { httpDurationHistogram } from './metrics.ts';
import { findUnsafeText } from './unsafe-text.ts';
import { refuseNonFiniteNumbers } from './finite-numbers.ts';
import { LOG_REDACTIONS, registerHardening, timeLimits, type HardeningOptions } from './hardening.ts';
import type {} from './route-config.ts';

export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type ReadinessCheck = () => Promise<void>;

export interface HttpServerOptions extends HardeningOptions {
  name: string;
  logLevel?: string;
  metrics: Registry;
  readiness?: Record<string, ReadinessCheck>;
  bodyLimitBytes?: number;
  /** Hops whose X-Forwarded-For sets `request.ip` (Config.trustedProxies); none when absent. */
  trustedProxies?: string[];
  /** How long `close()` waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs?: number;
}

// Fastify's default, named so the 414 can say it.
const MAX_PARAM_LENGTH = 100;
const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true } as const;
const ajvPool = AjvCompiler();

/**
 * Params, querystring and headers arrive as text, so their schemas convert ("5" → 5, one value → an
 * array). A JSON body already carries its types: converting it would turn `null` into 0 or `true` into 1
 * and store what nobody sent, so a body is validated exactly as sent (ADR 0007).
 */
const buildValidator: AjvCompiler.ValidatorFactory = (externalSchemas, options) => {
  const build = (coerceTypes: false | 'array') =>
    ajvPool(externalSchemas, {
      plugins: options?.plugins,
      onCreate: options?.onCreate,
      customOptions: { ...AJV_OPTIONS, coerceTypes },
    });
  const exact = build(false);
  const converting = build('array');
  return (route) => (route.httpPart === 'body' ? exact(route) : refuseNonFiniteNumbers(converting(route)));
};

/**
 * The HTTP server every process uses: request ids (taken from `x-request-id` or generated), JSON logs,
 * problem+json errors (the framework's own refusals included), TypeBox schemas validated by Ajv, text
 * input free of NUL and lone surrogates, `/healthz`, `/readyz`, `/metrics`.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', base: { service: options.name }, redact: LOG_REDACTIONS },
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.trustedProxies && options.trustedProxies.length > 0 ? options.trustedProxies : false,
    schemaController: { compilersFactory: { buildValidator } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Idle keep-alive sockets are closed at once on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    pluginTimeout: 60_000,
    ...timeLimits(options),
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerHardening(app, options);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, `No route for ${request.method} ${request.url}`),
  );
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preValidation', refuseUnsafeText);
  observeDurations(app, options.metrics);
  addHealthRoutes(app, options);
  return app as unknown as HttpServer;
}

/**
 * One check for every route, before its schema runs: a NUL or a lone surrogate in a path parameter, a
 * query key or value, or any string or key of a parsed body is a 400, never a database error.
 */
async function refuseUnsafeText(request: FastifyRequest) {
  const parts = { params: request.params, querystring: request.query, body: request.body };
  for (const [part, value] of Object.entries(parts)) {
    const field = findUnsafeText(value, part);
    if (field)
      throw validation('The request contains a NUL character or an unpaired surrogate', [
        { field, message: 'must be text without NUL characters or unpaired surrogates' },
      ]);
  }
}

/** Requests refused by the router before any route runs (its default answer is plain JSON). */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_BAD_URL')
    return sendProblem(reply, 400, 'The URL is not valid: a percent-encoding does not decode to UTF-8');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return sendProblem(reply, 414, `A path segment is longer than ${MAX_PARAM_LENGTH} characters`);
  request.log.error({ err: error }, 'router error');
  return sendProblem(reply, 500, 'An unexpected error occurred; it has been logged.');
}

/**
 * Requests Node's HTTP parser refuses (bad header bytes, oversized headers, timeouts) never reach Fastify:
 * the answer is written to the socket, as a problem like every other 4xx.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const problem: Problem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Bad Request',
    status,
    detail: status === 400 ? 'The request is not valid HTTP' : (STATUS_CODES[status] ?? ''),
  };
  const body = JSON.stringify(problem);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

function observeDurations(app: FastifyInstance, metrics: Registry) {
  const histogram = httpDurationHistogram(metrics);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

function addHealthRoutes(app: FastifyInstance, options: HttpServerOptions) {
  const hidden = { schema: { hide: true }, config: { auth: 'public' as const, rateLimit: false } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_request, reply) => {
    const checks = Object.entries(options.readiness ?? {});
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `failing: ${(error as Error).message}`] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', hidden, async (_request, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Stops accepting, lets in-flight requests finish (up to the timeout), then closes. */
export async function closeGracefully(app: FastifyInstance, timeoutMs: number): Promise<void> {
  // A keep-alive socket becomes idle only when its last request ends; close those as they appear instead
  // of waiting for the keep-alive timeout.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
