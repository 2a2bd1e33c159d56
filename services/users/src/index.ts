/** Public entry of the users service: its API, the factory, the HTTP client and the event types. */
import { ACCESS_TOKEN, defineService } from '@emporium/platform';
import { USER_EVENTS, type UserStatusChangedEvent, type UsersApi } from './types.ts';
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
  UserContact,
  UserRegisteredEvent,
  UserStatus,
  UserStatusChangedEvent,
  UsersApi,
} from './types.ts';
export { USER_EVENTS } from './types.ts';
export { normaliseEmail, type NormalisedEmail } from './email.ts';
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
  gateway: {
    accessTokenKeysPath: ACCESS_TOKEN.jwksPath,
    accountStatus: {
      subjects: [USER_EVENTS.suspended, USER_EVENTS.reinstated],
      fromEvent: (event) => {
        const data = event.data as Partial<UserStatusChangedEvent>;
        if (typeof data.id !== 'string' || (data.status !== 'active' && data.status !== 'suspended'))
          return undefined;
        return { userId: data.id, revoked: data.status === 'suspended', at: event.occurredAt };
      },
    },
  },
});
