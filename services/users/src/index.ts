/** Public entry of the users service: its API, the factory, the HTTP client and the event types. */
import { ACCESS_TOKEN, defineService } from '@emporium/platform';
import type { UsersApi } from './types.ts';
import { createUsersService } from './service.ts';
import { UsersHttpClient } from './client.ts';
import { usersSettings } from './settings.ts';
export type {
  Address,
  AddressInput,
  Me,
  PublicUser,
  Role,
  SellerProfile,
  Session,
  UserRegisteredEvent,
  UserStatus,
  UserStatusChangedEvent,
  UsersApi,
} from './types.ts';
export { USER_EVENTS } from './types.ts';
export { createUsersService, type UsersServiceOptions } from './service.ts';
export { UsersHttpClient } from './client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    users: UsersApi;
  }
}

export const usersService = defineService({
  name: 'users',
  needs: {},
  publicPaths: ['/auth', '/me', '/users', '/sellers'],
  settings: usersSettings,
  create: (ctx) => createUsersService(ctx, { admin: ctx.settings.admin }),
  client: (url, options) => new UsersHttpClient(url, options),
  gateway: { accessTokenKeysPath: ACCESS_TOKEN.jwksPath },
});
