import type { Role } from '@emporium/platform';
import type { JSONWebKeySet } from 'jose';

export type { Role } from '@emporium/platform';
export type UserStatus = 'active' | 'suspended';

/** What any service may know about a user. */
export interface PublicUser {
  id: string;
  name: string;
  role: Role;
  status: UserStatus;
}

/**
 * Where to reach a user: for services that write to them (notifications), over internal routes only.
 * Never part of a public response about someone else.
 */
export interface UserContact {
  id: string;
  email: string;
  name: string;
  status: UserStatus;
}

/** A seller's public face. */
export interface SellerProfile {
  id: string;
  storeName: string;
  slug: string;
  description?: string;
  rating?: number;
}

/** The caller's own profile (`GET /api/v1/me`). */
export interface Me extends PublicUser {
  email: string;
  createdAt: string;
  seller?: SellerProfile;
}

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

export interface Address extends AddressInput {
  id: string;
  isDefault: boolean;
  createdAt: string;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  role: 'customer' | 'seller';
  storeName?: string;
  description?: string;
}

export interface Session {
  user: Me;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** The users service as other services hold it, in-process or over HTTP. */
export interface UsersApi {
  jwks(): Promise<JSONWebKeySet>;
  getUsers(ids: string[]): Promise<PublicUser[]>;
  getSellers(ids: string[]): Promise<SellerProfile[]>;
  getContacts(ids: string[]): Promise<UserContact[]>;
  /** One address of an active user's address book; undefined when it is not theirs (or gone). */
  getAddress(userId: string, addressId: string): Promise<Address | undefined>;
  /**
   * The normalised e-mail of an active account (ADR 0502: lower-cased, NFKC, punycode domain), the key
   * that guest orders are matched on; undefined for an unknown or suspended account.
   */
  getEmailKey(userId: string): Promise<string | undefined>;
}

/** Integration events written to the users outbox. */
export interface UserRegisteredEvent {
  id: string;
  name: string;
  role: Role;
  seller?: SellerProfile;
}
export interface UserStatusChangedEvent {
  id: string;
  role: Role;
  status: UserStatus;
}
export const USER_EVENTS = {
  registered: 'users.user.registered',
  suspended: 'users.user.suspended',
  reinstated: 'users.user.reinstated',
} as const;
