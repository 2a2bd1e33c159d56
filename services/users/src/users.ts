import { notFound } from '@emporium/platform';
import type { JSONWebKeySet } from 'jose';
import type { Accounts } from './accounts.ts';
import type { AddressBook } from './addresses.ts';
import type { KeyRing } from './keys.ts';
import { toAddress, toPublicUser, toSellerProfile } from './mappers.ts';
import type { Sessions } from './sessions.ts';
import type { UsersStore } from './store.ts';
import type { Address, PublicUser, SellerProfile, UserContact, UsersApi } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uniqueIds = (ids: string[]) => [...new Set(ids.filter((id) => UUID.test(id)))];

/** The users service: its parts, and the UsersApi other services call. */
export class Users implements UsersApi {
  constructor(
    readonly store: UsersStore,
    readonly keys: KeyRing,
    readonly sessions: Sessions,
    readonly accounts: Accounts,
    readonly addresses: AddressBook,
  ) {}

  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks();
  }

  async getUsers(ids: string[]): Promise<PublicUser[]> {
    return (await this.store.usersByIds(uniqueIds(ids))).map(toPublicUser);
  }

  async getContacts(ids: string[]): Promise<UserContact[]> {
    return (await this.store.usersByIds(uniqueIds(ids))).map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      status: u.status,
    }));
  }

  /** Profiles of sellers whose account is active: a suspended seller's store disappears from view. */
  async getSellers(ids: string[]): Promise<SellerProfile[]> {
    const sellers = await this.store.sellersByIds(uniqueIds(ids));
    const active = new Set(
      (await this.store.usersByIds(sellers.map((s) => s.user_id)))
        .filter((u) => u.status === 'active')
        .map((u) => u.id),
    );
    return sellers.filter((s) => active.has(s.user_id)).map(toSellerProfile);
  }

  async getAddress(userId: string, addressId: string): Promise<Address | undefined> {
    if (!UUID.test(userId) || !UUID.test(addressId)) return undefined;
    const user = await this.store.userById(userId);
    if (!user || user.status !== 'active') return undefined;
    const row = await this.store.address(userId, addressId);
    return row && toAddress(row);
  }

  async getEmailKey(userId: string): Promise<string | undefined> {
    if (!UUID.test(userId)) return undefined;
    const user = await this.store.userById(userId);
    return user?.status === 'active' ? user.email_key : undefined;
  }

  async sellerProfile(idOrSlug: string): Promise<SellerProfile> {
    const row = UUID.test(idOrSlug)
      ? await this.store.sellerById(idOrSlug)
      : await this.store.sellerBySlug(idOrSlug.toLowerCase());
    const [profile] = row ? await this.getSellers([row.user_id]) : [];
    if (!profile) throw notFound('Seller');
    return profile;
  }
}
