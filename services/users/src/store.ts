import { sql, type ColumnType, type Generated, type Kysely, type Selectable } from 'kysely';
import type { OutboxTables, Role } from '@emporium/platform';
import type { JWK } from 'jose';
import type { AddressInput, UserStatus } from './types.ts';

export interface DB extends OutboxTables {
  users: {
    id: string;
    email: string;
    email_key: string;
    password_hash: string;
    name: string;
    role: Role;
    status: Generated<UserStatus>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  seller_profiles: {
    user_id: string;
    store_name: string;
    slug: string;
    description: string | null;
    rating: number | null;
    created_at: Generated<Date>;
  };
  addresses: {
    id: string;
    user_id: string;
    name: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postal_code: string;
    country: string;
    is_default: boolean;
    created_at: Generated<Date>;
  };
  refresh_tokens: {
    id: string;
    token_hash: string;
    family_id: string;
    user_id: string;
    created_at: Generated<Date>;
    expires_at: Date;
    used_at: Date | null;
    revoked_at: Date | null;
  };
  signing_keys: {
    kid: string;
    // Written as JSON text, read back as objects (jsonb).
    public_jwk: ColumnType<JWK, string, string>;
    private_jwk: ColumnType<JWK, string, string>;
    created_at: Generated<Date>;
    retired_at: Date | null;
  };
}

export type Db = Kysely<DB>;
export type UserRow = Selectable<DB['users']>;
export type SellerRow = Selectable<DB['seller_profiles']>;
export type AddressRow = Selectable<DB['addresses']>;
export type RefreshTokenRow = Selectable<DB['refresh_tokens']>;
export type SigningKeyRow = Selectable<DB['signing_keys']>;

/** Persistence for the `users` schema: the only file with this service's queries. */
export class UsersStore {
  constructor(readonly db: Db) {}

  userByEmailKey(emailKey: string, db: Db = this.db) {
    return db.selectFrom('users').selectAll().where('email_key', '=', emailKey).executeTakeFirst();
  }

  userById(id: string, db: Db = this.db) {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  usersByIds(ids: string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
  }

  async insertUser(db: Db, row: Omit<UserRow, 'status' | 'created_at' | 'updated_at'>) {
    return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  updateUser(
    db: Db,
    id: string,
    changes: Partial<Pick<UserRow, 'name' | 'password_hash' | 'status' | 'role'>>,
  ) {
    return db
      .updateTable('users')
      .set({ ...changes, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  sellerById(userId: string, db: Db = this.db) {
    return db.selectFrom('seller_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  sellerBySlug(slug: string) {
    return this.db.selectFrom('seller_profiles').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  sellersByIds(ids: string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('seller_profiles').selectAll().where('user_id', 'in', ids).execute();
  }

  async slugsLike(db: Db, slug: string): Promise<Set<string>> {
    const rows = await db
      .selectFrom('seller_profiles')
      .select('slug')
      .where((w) => w.or([w('slug', '=', slug), w('slug', 'like', `${slug}-%`)]))
      .execute();
    return new Set(rows.map((r) => r.slug));
  }

  storeNameTaken(db: Db, storeName: string, exceptUserId?: string) {
    let query = db
      .selectFrom('seller_profiles')
      .select('user_id')
      .where(sql<string>`lower(store_name)`, '=', storeName.toLowerCase());
    if (exceptUserId) query = query.where('user_id', '!=', exceptUserId);
    return query.executeTakeFirst().then((row) => row !== undefined);
  }

  insertSeller(db: Db, row: Omit<SellerRow, 'created_at'>) {
    return db.insertInto('seller_profiles').values(row).returningAll().executeTakeFirstOrThrow();
  }

  updateSeller(db: Db, userId: string, changes: Partial<Pick<SellerRow, 'store_name' | 'description'>>) {
    return db
      .updateTable('seller_profiles')
      .set(changes)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
  }

  addresses(userId: string) {
    return this.db
      .selectFrom('addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  address(userId: string, id: string, db: Db = this.db) {
    return db
      .selectFrom('addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  countAddresses(db: Db, userId: string) {
    return db
      .selectFrom('addresses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }

  insertAddress(db: Db, id: string, userId: string, a: AddressInput, isDefault: boolean) {
    return db
      .insertInto('addresses')
      .values({ id, user_id: userId, ...addressColumns(a), is_default: isDefault })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  updateAddress(db: Db, userId: string, id: string, a: AddressInput) {
    return db
      .updateTable('addresses')
      .set(addressColumns(a))
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** Only one default per user: cleared for the others in the same transaction. */
  async setDefaultAddress(db: Db, userId: string, id: string) {
    await db
      .updateTable('addresses')
      .set({ is_default: sql<boolean>`id = ${id}` })
      .where('user_id', '=', userId)
      .execute();
  }

  deleteAddress(db: Db, userId: string, id: string) {
    return db
      .deleteFrom('addresses')
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  insertRefreshToken(db: Db, row: Omit<RefreshTokenRow, 'created_at' | 'used_at' | 'revoked_at'>) {
    return db.insertInto('refresh_tokens').values(row).execute();
  }

  refreshTokenByHash(hash: string, db: Db = this.db) {
    return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  /** Spends a token exactly once: of two concurrent refreshes with it, one wins and the other is reuse. */
  markRefreshTokenUsed(db: Db, id: string) {
    return db
      .updateTable('refresh_tokens')
      .set({ used_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
  }

  revokeFamily(db: Db, familyId: string) {
    return db
      .updateTable('refresh_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  familyRevoked(db: Db, familyId: string) {
    return db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is not', null)
      .executeTakeFirst()
      .then((row) => row !== undefined);
  }

  revokeUserTokens(db: Db, userId: string) {
    return db
      .updateTable('refresh_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  signingKeys() {
    return this.db
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
  }

  insertSigningKey(db: Db, row: Omit<SigningKeyRow, 'created_at' | 'retired_at'>) {
    return db
      .insertInto('signing_keys')
      .values({
        kid: row.kid,
        public_jwk: JSON.stringify(row.public_jwk),
        private_jwk: JSON.stringify(row.private_jwk),
      })
      .execute();
  }

  retireSigningKeysExcept(db: Db, kid: string) {
    return db
      .updateTable('signing_keys')
      .set({ retired_at: sql<Date>`now()` })
      .where('kid', '!=', kid)
      .where('retired_at', 'is', null)
      .execute();
  }

  /** Keys retired before the cut-off cannot have signed a live token any more. */
  deleteSigningKeysRetiredBefore(cutoff: Date) {
    return this.db.deleteFrom('signing_keys').where('retired_at', '<', cutoff).execute();
  }
}

function addressColumns(a: AddressInput) {
  return {
    name: a.name,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postal_code: a.postalCode,
    country: a.country,
  };
}
