import {
  DEMO_SELLERS,
  eventTablesMigration,
  loadMigrations,
  OutboxRelay,
  type AccountStatusChange,
  type ServiceContext,
  type ServiceModule,
} from '@emporium/platform';
import { Accounts, ensureDemoSellers } from './accounts.ts';
import { AddressBook } from './addresses.ts';
import { KeyRing } from './keys.ts';
import { PasswordHasher, ARGON2_PARAMS, type Argon2Params } from './passwords.ts';
import { internalRoutes, publicRoutes } from './routes.ts';
import { Sessions } from './sessions.ts';
import { UsersStore, type DB } from './store.ts';
import { LoginThrottle, MemoryAttemptCounter, RedisAttemptCounter } from './throttle.ts';
import type { UsersApi } from './types.ts';
import { Users } from './users.ts';

export const SCHEMA = 'users';

export interface UsersServiceOptions {
  /** Where the login counters live in Redis; tests give each suite its own. */
  throttleNamespace?: string;
  /** Tests may pass cheaper parameters; production uses ARGON2_PARAMS. */
  argon2?: Argon2Params;
  /** The first admin account (UsersSettings.admin). */
  admin?: { email: string; password: string };
}

export async function createUsersService(
  ctx: ServiceContext,
  options: UsersServiceOptions = {},
): Promise<{ module: ServiceModule; api: UsersApi; users: Users }> {
  const { infra } = ctx;
  await infra.db.migrate(SCHEMA, [
    eventTablesMigration,
    ...(await loadMigrations(new URL('../migrations', import.meta.url).pathname)),
  ]);
  const db = infra.db.forSchema<DB>(SCHEMA);
  const store = new UsersStore(db);
  const relay = new OutboxRelay(db, infra.bus, { logger: infra.logger });
  const hasher = new PasswordHasher(options.argon2 ?? ARGON2_PARAMS);
  const keys = new KeyRing(store);
  await keys.ensureKey();
  const counter = infra.redis
    ? new RedisAttemptCounter(
        infra.redis,
        options.throttleNamespace ?? `${infra.deploymentName}:users:throttle:`,
      )
    : new MemoryAttemptCounter();
  const sessions = new Sessions({
    store,
    keys,
    hasher,
    throttle: new LoginThrottle(counter),
    logger: infra.logger,
  });
  const statusListeners: ((change: AccountStatusChange) => Promise<void>)[] = [];
  const accounts = new Accounts(
    store,
    hasher,
    sessions,
    () => relay.notify(),
    async (change) => {
      for (const listener of statusListeners) await listener(change);
    },
  );
  const users = new Users(store, keys, sessions, accounts, new AddressBook(store));
  if (options.admin) await accounts.ensureAdmin(options.admin.email, options.admin.password);
  if (ctx.config.seedDemoData) await ensureDemoSellers(accounts, DEMO_SELLERS);

  const module: ServiceModule = {
    name: 'users',
    routes: publicRoutes(users),
    internalRoutes: internalRoutes(users),
    async start() {
      relay.start();
    },
    async stop() {
      await relay.stop();
    },
    readiness: { 'users-signing-key': async () => void (await keys.jwks()) },
    accessTokenKeys: () => users.jwks(),
    onAccountStatus: (listener) => void statusListeners.push(listener),
  };
  return { module, api: users, users };
}
