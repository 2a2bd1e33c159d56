import {
  ACCESS_TOKEN,
  internalClient,
  ServiceHttpClient,
  type ServiceClientOptions,
} from '@emporium/platform';
import type { JSONWebKeySet } from 'jose';
import type { Address, PublicUser, SellerProfile, UserContact, UsersApi } from './types.ts';

/** UsersApi over HTTP, for processes where the users service runs elsewhere. */
export class UsersHttpClient implements UsersApi {
  private readonly http: ServiceHttpClient;
  private readonly root: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl, 'users', options);
    // The key set is public: no service token.
    this.root = new ServiceHttpClient({ baseUrl, timeoutMs: options.timeoutMs });
  }

  jwks(): Promise<JSONWebKeySet> {
    return this.root.call<JSONWebKeySet>('GET', ACCESS_TOKEN.jwksPath);
  }

  // Batch reads are POSTs only to carry many ids; they change nothing, so retrying them is safe.
  async getUsers(ids: string[]): Promise<PublicUser[]> {
    if (ids.length === 0) return [];
    const { items } = await this.http.call<{ items: PublicUser[] }>(
      'POST',
      '/users/batch',
      { ids },
      { idempotent: true },
    );
    return items;
  }

  async getAddress(userId: string, addressId: string): Promise<Address | undefined> {
    const { address } = await this.http.call<{ address?: Address }>(
      'GET',
      `/users/${encodeURIComponent(userId)}/addresses/${encodeURIComponent(addressId)}`,
    );
    return address;
  }

  async getEmailKey(userId: string): Promise<string | undefined> {
    const { emailKey } = await this.http.call<{ emailKey?: string }>(
      'GET',
      `/users/${encodeURIComponent(userId)}/email-key`,
    );
    return emailKey;
  }

  async getSellers(ids: string[]): Promise<SellerProfile[]> {
    if (ids.length === 0) return [];
    const { items } = await this.http.call<{ items: SellerProfile[] }>(
      'POST',
      '/sellers/batch',
      { ids },
      { idempotent: true },
    );
    return items;
  }

  async getContacts(ids: string[]): Promise<UserContact[]> {
    if (ids.length === 0) return [];
    const { items } = await this.http.call<{ items: UserContact[] }>(
      'POST',
      '/contacts/batch',
      { ids },
      { idempotent: true },
    );
    return items;
  }
}
