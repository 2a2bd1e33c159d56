import type { JSONWebKeySet } from 'jose';
import type { Config, Env } from './config/config.ts';
import type { DomainEvent } from './events/event.ts';
import type { AccountStatusChange } from './revocations.ts';
import type { Infrastructure } from './infrastructure.ts';
import type { ServiceClientOptions } from './http/client.ts';
import type { HttpServer, ReadinessCheck } from './http/server.ts';
import type { JobDefinition } from './jobs/job.ts';

/** A service's name as it appears in SERVICES, SERVICE_URL_<NAME> and `/internal/<name>`. */
export type ServiceName = string;

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
  /** The public keys of access tokens, for the token checks of a process that hosts this service. */
  accessTokenKeys?(): Promise<JSONWebKeySet>;
  /** Tells the gateway in this process which cached public responses a change made stale. */
  onPublicChange?(drop: (prefixes: string[]) => Promise<void>): void;
  /** Tells the token checks of this process, after the commit, that an account was suspended or reinstated. */
  onAccountStatus?(record: (change: AccountStatusChange) => Promise<void>): void;
}

export interface ServiceContext {
  config: Config;
  infra: Infrastructure;
}

/**
 * The domain API of each service, by name. Every service's entry adds itself by declaration merging
 * (`declare module '@emporium/platform' { interface ServiceApis { inventory: InventoryApi } }`), so a
 * dependency declared by name arrives with its type and no caller casts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServiceApis {}

type ApiOf<Name> = Name extends keyof ServiceApis ? ServiceApis[Name] : never;

/** A service this one calls; `optional` ones may be absent (then the factory gets `undefined`). */
export interface Dependency<Name extends string, Optional extends boolean> {
  readonly service: Name;
  readonly optional: Optional;
}

export const requires = <Name extends keyof ServiceApis & string>(
  service: Name,
): Dependency<Name, false> => ({
  service,
  optional: false,
});
export const uses = <Name extends keyof ServiceApis & string>(service: Name): Dependency<Name, true> => ({
  service,
  optional: true,
});

type AnyDependency = Dependency<string, boolean>;
export type DependencyApis<Needs extends Record<string, AnyDependency>> = {
  [K in keyof Needs]: Needs[K] extends Dependency<infer Name, infer Optional>
    ? Optional extends true
      ? ApiOf<Name> | undefined
      : ApiOf<Name>
    : never;
};

/** A process this service needs beside it in the one-process store (the payment sandbox). */
export interface SideProcess {
  stop(): Promise<void>;
}

/**
 * Everything the composition root, the gateway and the scheduler need to know about one service, in
 * one place: adding a service is writing its definition and adding it to the registry's list.
 */
export interface ServiceDefinition<
  Name extends keyof ServiceApis & string = keyof ServiceApis & string,
  Needs extends Record<string, AnyDependency> = Record<string, AnyDependency>,
  Settings = unknown,
> {
  name: Name;
  needs: Needs;
  /** Paths under /api/v1 this service answers; the gateway forwards them when it runs elsewhere. */
  publicPaths: string[];
  /** Reads and validates the service's own variables (throws ConfigError naming the bad one). */
  settings(env: Env, config: Config): Settings;
  create(
    context: ServiceContext & { settings: Settings },
    deps: DependencyApis<Needs>,
  ): Promise<{ module: ServiceModule; api: ApiOf<Name> }>;
  /** The API over HTTP, for processes where the service runs elsewhere. */
  client(baseUrl: string, options: ServiceClientOptions): ApiOf<Name>;
  /** Started before the services when the store runs in one process on embedded defaults. */
  embedded?(settings: Settings, config: Config): Promise<SideProcess | undefined>;
  /** What a gateway in another process takes from this service. */
  gateway?: GatewayHooks;
}

export interface GatewayHooks {
  /** Where this service publishes the public keys of access tokens (its module has them in-process). */
  accessTokenKeysPath?: string;
  /** The events whose subjects make cached public responses stale, and the path prefixes they stale. */
  staleResponses?: { subjects: string[]; fromEvent(event: DomainEvent): string[] };
  /**
   * The events that suspend or reinstate an account: every process that reaches this service remotely
   * refuses a suspended account's access tokens from them (ADR 0509).
   */
  accountStatus?: { subjects: string[]; fromEvent(event: DomainEvent): AccountStatusChange | undefined };
}

/** A definition with its types erased, as the registry holds many different ones in one list. */
export interface RegisteredService {
  name: string;
  needs: { key: string; service: string; optional: boolean }[];
  publicPaths: string[];
  settings(env: Env, config: Config): unknown;
  create(
    context: ServiceContext,
    settings: unknown,
    apis: ReadonlyMap<string, unknown>,
  ): Promise<{ module: ServiceModule; api: unknown }>;
  client(baseUrl: string, options: ServiceClientOptions): unknown;
  embedded?(settings: unknown, config: Config): Promise<SideProcess | undefined>;
  gateway: GatewayHooks;
}

/** Checks a definition's types where it is written; returns it unchanged. */
export function defineService<
  Name extends keyof ServiceApis & string,
  Needs extends Record<string, AnyDependency>,
  Settings,
>(definition: ServiceDefinition<Name, Needs, Settings>): ServiceDefinition<Name, Needs, Settings> {
  return definition;
}

/**
 * Erases a definition's types for the registry. The one place where a name becomes a type again: the
 * api registered under a name is the one that name's definition produced (or its HTTP client), and a
 * settings value is the one its own `settings` returned, so these casts cannot see a foreign value.
 */
export function registered<
  Name extends keyof ServiceApis & string,
  Needs extends Record<string, AnyDependency>,
  Settings,
>(definition: ServiceDefinition<Name, Needs, Settings>): RegisteredService {
  const needs = Object.entries(definition.needs).map(([key, d]) => ({
    key,
    service: d.service,
    optional: d.optional,
  }));
  return {
    name: definition.name,
    needs,
    publicPaths: definition.publicPaths,
    settings: (env, config) => definition.settings(env, config),
    create: (context, settings, apis) => {
      const deps = Object.fromEntries(needs.map((n) => [n.key, apis.get(n.service)]));
      return definition.create({ ...context, settings: settings as Settings }, deps as DependencyApis<Needs>);
    },
    client: (url, options) => definition.client(url, options),
    ...(definition.embedded
      ? {
          embedded: (settings: unknown, config: Config) => definition.embedded!(settings as Settings, config),
        }
      : {}),
    gateway: definition.gateway ?? {},
  };
}

/** No variables of its own. */
export const noSettings = (): undefined => undefined;
