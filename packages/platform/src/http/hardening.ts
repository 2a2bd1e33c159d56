import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance } from 'fastify';

export interface HardeningOptions {
  /** Origins allowed to call from a browser on another origin (CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** How long a client may take to send a whole request (headers and body); 60 s by default. */
  requestTimeoutMs?: number;
}

/**
 * One policy for the API, the docs at /docs and the storefront to come: everything from this origin,
 * nothing inline but styles (Swagger UI sets them), no plugins, no framing, forms only to this origin.
 * No `upgrade-insecure-requests`: TLS ends in front of the process, and a development store on plain
 * HTTP would have its own scripts upgraded to an address nobody serves.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
};

/** Secrets that must never reach a log line, should a request, its headers or a body ever be logged. */
export const LOG_REDACTIONS = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["emporium-signature"]',
    'res.headers["set-cookie"]',
    '*.password',
    '*.currentPassword',
    '*.accessToken',
    '*.refreshToken',
    '*.paymentToken',
  ],
  censor: '[redacted]',
};

// A browser on an allowed origin sends these; everything else is refused at the preflight.
const CORS_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-cart-id',
  'x-session-id',
  'x-request-id',
];

/** Fastify's time limits: a client that trickles a request in (slowloris) is cut off with a 408. */
export function timeLimits(options: HardeningOptions) {
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  return {
    requestTimeout,
    // A socket silent this long, mid-request or mid-response, is closed; idle keep-alive ends sooner.
    connectionTimeout: Math.max(requestTimeout * 2, 10_000),
    // Node checks request deadlines on this interval (30 s by default, coarser than the limit itself).
    http: {
      connectionsCheckingInterval: Math.min(5_000, Math.max(50, Math.floor(requestTimeout / 4))),
      // Node refuses a headers deadline later than the request's, and checks the pair only when both are
      // given at construction; Fastify sets requestTimeout afterwards.
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 30_000),
    },
  };
}

const HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  // Product images may be shown by a storefront on a sibling host of the same site.
  crossOriginResourcePolicy: { policy: 'same-site' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * The headers helmet sets, computed once by helmet itself. Without nonces they are the same on every
 * answer, and running its middleware chain per request cost the gateway half its throughput
 * (bench/results/gateway.md).
 */
export function securityHeaders(options: HelmetOptions = HELMET): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Security headers on every answer (problems and docs included) and CORS only for listed origins. */
export function registerHardening(app: FastifyInstance, options: HardeningOptions): void {
  const headers = securityHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  const origins = options.corsOrigins ?? [];
  // No listed origin: a browser keeps other origins out by itself when no CORS header is sent.
  if (origins.length === 0) return;
  void app.register(cors, {
    origin: origins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_HEADERS,
    exposedHeaders: ['x-request-id', 'etag', 'location', 'retry-after'],
    maxAge: 600,
  });
}
