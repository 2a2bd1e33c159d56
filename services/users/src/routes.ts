import { Type } from 'typebox';
import { ACCESS_TOKEN, isAppError, requireUser, type HttpServer } from '@emporium/platform';
import type { FastifyReply } from 'fastify';
import type { Users } from './users.ts';
import {
  Address,
  AddressBody,
  AddressPatchBody,
  IdParams,
  IdsBody,
  UserContact,
  Jwks,
  LoginBody,
  Me,
  PatchMeBody,
  PublicUser,
  RefreshBody,
  RegisterBody,
  SellerParams,
  SellerProfile,
  Session,
  tags,
} from './schemas.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Mount the route at this path of the server root instead of under the service's prefix. */
    rootPath?: string;
  }
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/** Routes under /api/v1 (the root mounts them there), plus the JWKS at the server root. */
export function publicRoutes(users: Users) {
  return async (app: HttpServer) => {
    mountJwksAtRoot(app, users);
    authRoutes(app, users);
    meRoutes(app, users);
    addressRoutes(app, users);
    adminRoutes(app, users);
    app.get(
      '/sellers/:id',
      {
        schema: {
          tags,
          summary: 'Public seller profile (by id or store slug)',
          params: SellerParams,
          response: { 200: SellerProfile },
        },
        config: { auth: 'public', publicCacheSeconds: 30 },
      },
      async (request) => users.sellerProfile(request.params.id),
    );
  };
}

/**
 * The JWKS must be at `/.well-known/jwks.json` of the users process (the gateway fetches it there), but
 * services are mounted under /api/v1. The route is declared here and moved to the root before Fastify
 * adds it to the router; ServiceModule has no hook for root routes.
 */
function mountJwksAtRoot(app: HttpServer, users: Users) {
  app.addHook('onRoute', (route) => {
    if (route.config?.rootPath) route.url = route.path = route.config.rootPath;
  });
  app.get(
    '/.well-known/jwks.json',
    {
      schema: { tags, summary: 'Public keys that verify access tokens (JWKS)', response: { 200: Jwks } },
      config: { auth: 'public', rootPath: ACCESS_TOKEN.jwksPath, rateLimit: false },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return users.keys.jwks();
    },
  );
}

function authRoutes(app: HttpServer, users: Users) {
  app.post(
    '/auth/register',
    {
      schema: {
        tags,
        summary: 'Create a customer or seller account',
        body: RegisterBody,
        response: { 201: Session },
      },
      config: { auth: 'public' },
    },
    async (request, reply) =>
      noStore(reply)
        .code(201)
        .send(await users.accounts.register(request.body)),
  );
  app.post(
    '/auth/login',
    {
      schema: {
        tags,
        summary: 'Exchange email and password for tokens',
        body: LoginBody,
        response: { 200: Session },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      try {
        return noStore(reply).send(
          await users.sessions.login(request.body.email, request.body.password, request.ip),
        );
      } catch (error) {
        if (isAppError(error) && error.kind === 'TooManyRequests') {
          reply.header('retry-after', String(error.details.retryAfterSeconds ?? 1));
        }
        throw error;
      }
    },
  );
  app.post(
    '/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Rotate a refresh token into a new token pair',
        body: RefreshBody,
        response: { 200: Session },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => noStore(reply).send(await users.sessions.refresh(request.body.refreshToken)),
  );
  app.post(
    '/auth/logout',
    {
      schema: {
        tags,
        summary: 'End the session of a refresh token',
        body: RefreshBody,
        response: { 204: Type.Null() },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      await users.sessions.logout(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/auth/keys/rotate',
    {
      schema: {
        tags,
        summary: 'Start signing with a new key (old tokens stay valid until they expire)',
        response: { 200: Type.Object({ kid: Type.String() }) },
      },
      config: { auth: 'admin' },
    },
    async () => users.keys.rotate(),
  );
}

function meRoutes(app: HttpServer, users: Users) {
  app.get(
    '/me',
    {
      schema: { tags, summary: 'The caller’s profile', response: { 200: Me } },
      config: { auth: 'authenticated' },
    },
    async (request) => users.accounts.me(requireUser(request).id),
  );
  app.patch(
    '/me',
    {
      schema: {
        tags,
        summary: 'Change name, password (with the current one) or store details',
        body: PatchMeBody,
        response: { 200: Me },
      },
      config: { auth: 'authenticated' },
    },
    async (request) => users.accounts.updateMe(requireUser(request).id, request.body),
  );
}

function addressRoutes(app: HttpServer, users: Users) {
  const auth = { auth: 'customer' as const };
  const owner = async (id: string) => (await users.accounts.activeUser(id)).id;
  app.get(
    '/me/addresses',
    {
      schema: {
        tags,
        summary: 'The caller’s address book',
        response: { 200: Type.Object({ items: Type.Array(Address) }) },
      },
      config: auth,
    },
    async (request) => ({ items: await users.addresses.list(await owner(requireUser(request).id)) }),
  );
  app.post(
    '/me/addresses',
    {
      schema: { tags, summary: 'Add an address', body: AddressBody, response: { 201: Address } },
      config: auth,
    },
    async (request, reply) =>
      reply.code(201).send(await users.addresses.create(await owner(requireUser(request).id), request.body)),
  );
  app.get(
    '/me/addresses/:id',
    {
      schema: {
        tags,
        summary: 'One of the caller’s addresses',
        params: IdParams,
        response: { 200: Address },
      },
      config: auth,
    },
    async (request) => users.addresses.get(await owner(requireUser(request).id), request.params.id),
  );
  app.patch(
    '/me/addresses/:id',
    {
      schema: {
        tags,
        summary: 'Change an address',
        params: IdParams,
        body: AddressPatchBody,
        response: { 200: Address },
      },
      config: auth,
    },
    async (request) =>
      users.addresses.update(await owner(requireUser(request).id), request.params.id, request.body),
  );
  app.delete(
    '/me/addresses/:id',
    {
      schema: { tags, summary: 'Remove an address', params: IdParams, response: { 204: Type.Null() } },
      config: auth,
    },
    async (request, reply) => {
      await users.addresses.remove(await owner(requireUser(request).id), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

function adminRoutes(app: HttpServer, users: Users) {
  const actions = [
    ['users', 'suspend', 'suspended', undefined],
    ['users', 'unsuspend', 'active', undefined],
    ['sellers', 'suspend', 'suspended', 'seller'],
    ['sellers', 'unsuspend', 'active', 'seller'],
  ] as const;
  for (const [collection, verb, status, role] of actions) {
    app.post(
      `/${collection}/:id/${verb}`,
      {
        schema: {
          tags,
          summary: `${verb === 'suspend' ? 'Suspend' : 'Reinstate'} a ${role ?? 'user'} (admin)`,
          params: IdParams,
          response: { 200: PublicUser },
        },
        config: { auth: 'admin' },
      },
      async (request) => users.accounts.setStatus(requireUser(request), request.params.id, status, role),
    );
  }
}

/** Service-to-service routes: the HTTP face of UsersApi (mounted under /internal/users). */
export function internalRoutes(users: Users) {
  return async (app: HttpServer) => {
    const hide = { hide: true, tags };
    app.get('/jwks', { schema: { ...hide, response: { 200: Jwks } } }, async () => users.keys.jwks());
    app.post(
      '/users/batch',
      {
        schema: { ...hide, body: IdsBody, response: { 200: Type.Object({ items: Type.Array(PublicUser) }) } },
      },
      async (request) => ({ items: await users.getUsers(request.body.ids) }),
    );
    app.post(
      '/sellers/batch',
      {
        schema: {
          ...hide,
          body: IdsBody,
          response: { 200: Type.Object({ items: Type.Array(SellerProfile) }) },
        },
      },
      async (request) => ({ items: await users.getSellers(request.body.ids) }),
    );
    app.post(
      '/contacts/batch',
      {
        schema: {
          ...hide,
          body: IdsBody,
          response: { 200: Type.Object({ items: Type.Array(UserContact) }) },
        },
      },
      async (request) => ({ items: await users.getContacts(request.body.ids) }),
    );
    app.get(
      '/users/:userId/addresses/:id',
      {
        schema: {
          ...hide,
          params: Type.Object({
            userId: Type.String({ maxLength: 100 }),
            id: Type.String({ maxLength: 100 }),
          }),
          response: { 200: Type.Object({ address: Type.Optional(Address) }) },
        },
      },
      async (request) => {
        const address = await users.getAddress(request.params.userId, request.params.id);
        return address ? { address } : {};
      },
    );
    app.get(
      '/users/:userId/email-key',
      {
        schema: {
          ...hide,
          params: Type.Object({ userId: Type.String({ maxLength: 100 }) }),
          response: { 200: Type.Object({ emailKey: Type.Optional(Type.String()) }) },
        },
      },
      async (request) => {
        const emailKey = await users.getEmailKey(request.params.userId);
        return emailKey ? { emailKey } : {};
      },
    );
  };
}
