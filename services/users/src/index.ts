/** Public entry of the users service: its API, the factory, the HTTP client and the event types. */
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
