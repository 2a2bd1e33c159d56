import { randomBytes } from 'node:crypto';
import {
  conflict,
  createEvent,
  forbidden,
  newId,
  notFound,
  unauthorized,
  writeEvents,
  type AccountStatusChange,
  type AuthUser,
  type DemoSeller,
  type FieldError,
  type Role,
} from '@emporium/platform';
import { normaliseEmail } from './email.ts';
import { toMe, toPublicUser, toSellerProfile } from './mappers.ts';
import { passwordProblems, type PasswordHasher } from './passwords.ts';
import type { Sessions } from './sessions.ts';
import type { Db, UserRow, UsersStore } from './store.ts';
import {
  USER_EVENTS,
  type Me,
  type PublicUser,
  type RegisterInput,
  type Session,
  type UserRegisteredEvent,
  type UserStatus,
  type UserStatusChangedEvent,
} from './types.ts';
import {
  cleanText,
  DESCRIPTION_RULE,
  NAME_RULE,
  slugOf,
  STORE_NAME_RULE,
  throwIfErrors,
} from './validation.ts';

export interface ProfileChanges {
  name?: string;
  password?: string;
  currentPassword?: string;
  storeName?: string;
  description?: string;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === UNIQUE_VIOLATION;

function cleanEmail(email: string, errors: FieldError[]) {
  const normalised = normaliseEmail(email);
  if (!normalised.ok) errors.push({ field: 'email', message: normalised.reason });
  return normalised.ok ? normalised : undefined;
}

/** Registration, the caller's profile, and the admin's suspend/reinstate. */
export class Accounts {
  constructor(
    private readonly store: UsersStore,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly notify: () => void,
    /** The token checks of this process: a suspension must count before the event reaches them. */
    private readonly statusChanged: (change: AccountStatusChange) => Promise<void> = async () => {},
  ) {}

  async register(input: RegisterInput): Promise<Session> {
    const errors: FieldError[] = [];
    const email = cleanEmail(input.email, errors);
    const name = cleanText(input.name, 'name', NAME_RULE, errors);
    let storeName: string | undefined;
    if (input.role === 'seller') {
      if (input.storeName === undefined)
        errors.push({ field: 'storeName', message: 'is required for a seller' });
      else storeName = cleanText(input.storeName, 'storeName', STORE_NAME_RULE, errors);
    } else if (input.storeName !== undefined) {
      errors.push({ field: 'storeName', message: 'is only for sellers' });
    }
    const description =
      input.description === undefined
        ? undefined
        : cleanText(input.description, 'description', DESCRIPTION_RULE, errors);
    errors.push(...passwordProblems(input.password, { email: email?.address, name }));
    throwIfErrors(errors);
    const passwordHash = await this.hasher.hash(input.password);
    const created = await this.createAccount({
      email: email!,
      name,
      role: input.role,
      passwordHash,
      seller: storeName === undefined ? undefined : { storeName, description },
    });
    const tokens = await this.sessions.issue(this.store.db, { id: created.id, role: created.role });
    return { user: created, ...tokens };
  }

  private async createAccount(a: {
    /** A fixed id (demo sellers); a new one otherwise. */
    id?: string;
    email: { address: string; key: string };
    name: string;
    role: Role;
    passwordHash: string;
    seller?: { storeName: string; description?: string };
  }): Promise<Me> {
    try {
      const me = await this.store.db.transaction().execute(async (trx) => {
        if (await this.store.userByEmailKey(a.email.key, trx)) throw emailTaken();
        const user = await this.store.insertUser(trx, {
          id: a.id ?? newId(),
          email: a.email.address,
          email_key: a.email.key,
          password_hash: a.passwordHash,
          name: a.name,
          role: a.role,
        });
        const seller = a.seller ? await this.createSeller(trx, user.id, a.seller) : undefined;
        const event: UserRegisteredEvent = {
          ...toPublicUser(user),
          ...(seller ? { seller: toSellerProfile(seller) } : {}),
        };
        await writeEvents(trx, [createEvent(USER_EVENTS.registered, user.id, event)]);
        return toMe(user, seller);
      });
      this.notify();
      return me;
    } catch (error) {
      // Two registrations with one email at the same moment: the unique index decides.
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  }

  private async createSeller(trx: Db, userId: string, s: { storeName: string; description?: string }) {
    if (await this.store.storeNameTaken(trx, s.storeName)) {
      throw conflict('A store with this name already exists', {
        fields: [{ field: 'storeName', message: 'is taken' }],
      });
    }
    const base = slugOf(s.storeName);
    const taken = await this.store.slugsLike(trx, base);
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    return this.store.insertSeller(trx, {
      user_id: userId,
      store_name: s.storeName,
      slug,
      description: s.description || null,
      rating: null,
    });
  }

  /** The caller's row; a suspended account keeps its still-valid access token from doing anything. */
  async activeUser(id: string): Promise<UserRow> {
    const user = await this.store.userById(id);
    if (!user || user.status !== 'active')
      throw unauthorized('This account is suspended or no longer exists');
    return user;
  }

  async me(id: string): Promise<Me> {
    const user = await this.activeUser(id);
    const seller = user.role === 'seller' ? await this.store.sellerById(id) : undefined;
    return toMe(user, seller);
  }

  async updateMe(id: string, changes: ProfileChanges): Promise<Me> {
    const user = await this.activeUser(id);
    const errors: FieldError[] = [];
    const name = changes.name === undefined ? undefined : cleanText(changes.name, 'name', NAME_RULE, errors);
    const storeName =
      changes.storeName === undefined
        ? undefined
        : cleanText(changes.storeName, 'storeName', STORE_NAME_RULE, errors);
    const description =
      changes.description === undefined
        ? undefined
        : cleanText(changes.description, 'description', DESCRIPTION_RULE, errors);
    if ((storeName !== undefined || description !== undefined) && user.role !== 'seller') {
      errors.push({
        field: storeName !== undefined ? 'storeName' : 'description',
        message: 'is only for sellers',
      });
    }
    if (changes.password !== undefined) {
      errors.push(...passwordProblems(changes.password, { email: user.email, name: name ?? user.name }));
      if (changes.currentPassword === undefined)
        errors.push({ field: 'currentPassword', message: 'is required to change the password' });
    }
    throwIfErrors(errors);
    let passwordHash: string | undefined;
    if (changes.password !== undefined) {
      if (!(await this.hasher.verify(user.password_hash, changes.currentPassword ?? ''))) {
        throw forbidden('The current password is incorrect');
      }
      passwordHash = await this.hasher.hash(changes.password);
    }
    await this.store.db.transaction().execute(async (trx) => {
      if (name !== undefined || passwordHash !== undefined) {
        await this.store.updateUser(trx, id, {
          ...(name !== undefined ? { name } : {}),
          ...(passwordHash ? { password_hash: passwordHash } : {}),
        });
      }
      // A new password ends every other session: whoever had the old one loses access.
      if (passwordHash) await this.store.revokeUserTokens(trx, id);
      if (storeName !== undefined || description !== undefined) {
        if (storeName !== undefined && (await this.store.storeNameTaken(trx, storeName, id))) {
          throw conflict('A store with this name already exists', {
            fields: [{ field: 'storeName', message: 'is taken' }],
          });
        }
        await this.store.updateSeller(trx, id, {
          ...(storeName !== undefined ? { store_name: storeName } : {}),
          ...(description !== undefined ? { description: description || null } : {}),
        });
      }
    });
    return this.me(id);
  }

  /**
   * Suspending ends every session at once: refresh tokens are revoked, and access tokens are refused by
   * every process's token check (ADR 0509). Repeating a change records it again, so a retry after a
   * failed revocation write repairs it.
   */
  async setStatus(actor: AuthUser, id: string, status: UserStatus, role?: Role): Promise<PublicUser> {
    if (actor.role !== 'admin') throw forbidden('Only an admin may suspend accounts');
    if (actor.id === id) throw forbidden('An admin cannot suspend their own account');
    let at = new Date().toISOString();
    const result = await this.store.db.transaction().execute(async (trx) => {
      const user = await this.store.userById(id, trx);
      if (!user || (role && user.role !== role)) return undefined;
      if (user.status === status) return user;
      const updated = (await this.store.updateUser(trx, id, { status }))!;
      if (status === 'suspended') await this.store.revokeUserTokens(trx, id);
      const data: UserStatusChangedEvent = { id, role: user.role, status };
      const event = createEvent(
        status === 'suspended' ? USER_EVENTS.suspended : USER_EVENTS.reinstated,
        id,
        data,
      );
      at = event.occurredAt;
      await writeEvents(trx, [event]);
      return updated;
    });
    if (!result) throw notFound(role === 'seller' ? 'Seller' : 'User');
    this.notify();
    await this.statusChanged({ userId: id, revoked: result.status !== 'active', at });
    return toPublicUser(result);
  }

  /** The first admin (ADMIN_EMAIL + ADMIN_PASSWORD): created once, or an existing account promoted. */
  /** A seller account with a fixed id, created once; another process seeding at the same time is fine. */
  async ensureSeller(s: DemoSeller, password: string): Promise<void> {
    if (await this.store.userById(s.id)) return;
    const email = normaliseEmail(s.email);
    if (!email.ok) throw new Error(`demo seller ${s.email}: ${email.reason}`);
    try {
      await this.createAccount({
        id: s.id,
        email,
        name: s.name,
        role: 'seller',
        passwordHash: await this.hasher.hash(password),
        seller: { storeName: s.storeName, description: s.description },
      });
    } catch (error) {
      if (!(error instanceof Error && (error.name === 'ConflictError' || isUniqueViolation(error))))
        throw error;
    }
  }

  async ensureAdmin(email: string, password: string): Promise<void> {
    const normalised = normaliseEmail(email);
    if (!normalised.ok) throw new Error(`ADMIN_EMAIL ${normalised.reason}`);
    const problems = passwordProblems(password, { email: normalised.address });
    if (problems.length > 0) throw new Error(`ADMIN_PASSWORD ${problems[0]?.message}`);
    const existing = await this.store.userByEmailKey(normalised.key);
    if (existing) {
      if (existing.role !== 'admin')
        await this.store.updateUser(this.store.db, existing.id, { role: 'admin' });
      return;
    }
    try {
      await this.createAccount({
        email: normalised,
        name: 'Administrator',
        role: 'admin',
        passwordHash: await this.hasher.hash(password),
      });
    } catch (error) {
      // Another process created it a moment ago.
      if (!(error instanceof Error && error.name === 'ConflictError')) throw error;
    }
  }
}

/**
 * The demo sellers' accounts and profiles, with the ids the catalog's demo products name. Their password
 * is random and never kept: SEED_DEMO_DATA is on by default, so a known password would open these
 * accounts on any store that forgot to turn it off.
 */
export async function ensureDemoSellers(
  accounts: Pick<Accounts, 'ensureSeller'>,
  sellers: readonly DemoSeller[],
): Promise<void> {
  for (const s of sellers) await accounts.ensureSeller(s, randomBytes(24).toString('base64url'));
}

const emailTaken = () =>
  conflict('An account with this email already exists', {
    fields: [{ field: 'email', message: 'is already registered' }],
  });
