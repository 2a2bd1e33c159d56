import type { Config, ServiceName } from './config/config.ts';
import type { Infrastructure } from './infrastructure.ts';
import type { HttpServer, ReadinessCheck } from './http/server.ts';
import type { JobDefinition } from './jobs/job.ts';

/**
 * What the composition root needs from every service: its routes (mounted under /api/v1), its
 * background work (relay, consumers, sweepers) and its readiness checks. The service's domain API is
 * separate: a typed interface that other services hold, in-process or through its HTTP client.
 */
export interface ServiceModule {
  readonly name: ServiceName;
  /** Public routes; the root mounts them under `/api/v1`. */
  routes?(app: HttpServer): Promise<void>;
  /** Service-to-service routes, mounted under `/internal/<name>`; never exposed by the gateway. */
  internalRoutes?(app: HttpServer): Promise<void>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Periodic work, run by the root's scheduler after `start` and stopped before `stop`. */
  jobs?: JobDefinition[];
  readiness?: Record<string, ReadinessCheck>;
}

export interface ServiceContext {
  config: Config;
  infra: Infrastructure;
}
