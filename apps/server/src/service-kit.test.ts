/**
 * The service kit's promise: a service declared in one place (its dependency, route, job, event and
 * settings) is composed, mounted, scheduled and routed through a gateway in another process, with no
 * edit anywhere else. The throwaway `greeter` below exists only in this file.
 */
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineEvent,
  defineService,
  internalClient,
  registered,
  requires,
  subscribeTo,
  ServiceTokens,
  type HttpServer,
  type ServiceModule,
} from '@emporium/platform';
import { serviceRegistry } from './registry.ts';
import { startTestStore, type TestStore } from './testing/test-store.ts';

interface GreeterApi {
  greet(userId: string): Promise<string>;
}

declare module '@emporium/platform' {
  interface ServiceApis {
    greeter: GreeterApi;
  }
}

const Greeted = defineEvent('greeter.greeting.sent', Type.Object({ userId: Type.String() }));

function greeterRoutes(api: GreeterApi, state: { ticks: number; greeted: number }) {
  return async (app: HttpServer) => {
    app.get(
      '/greetings/:userId',
      { schema: { params: Type.Object({ userId: Type.String() }) }, config: { auth: 'public' } },
      async (request) => ({ text: await api.greet(request.params.userId), ...state }),
    );
  };
}

const greeterService = defineService({
  name: 'greeter',
  needs: { users: requires('users') },
  publicPaths: ['/greetings'],
  settings: (env) => ({ salutation: env.GREETER_SALUTATION ?? 'Hello' }),
  async create({ infra, settings }, { users }) {
    const state = { ticks: 0, greeted: 0 };
    const api: GreeterApi = {
      async greet(userId) {
        const [user] = await users.getUsers([userId]);
        await infra.bus.publish(Greeted.create(userId, { userId }));
        return `${settings.salutation}, ${user?.name ?? 'stranger'}`;
      },
    };
    const module: ServiceModule = {
      name: 'greeter',
      routes: greeterRoutes(api, state),
      internalRoutes: async (app) => {
        app.get('/greet/:userId', { schema: { params: Type.Object({ userId: Type.String() }) } }, (r) =>
          api.greet(r.params.userId).then((text) => ({ text })),
        );
      },
      jobs: [{ name: 'greeter.tick', everyMs: 50, run: async () => void state.ticks++ }],
      async start() {
        await subscribeTo(
          infra.bus,
          'greeter-count',
          Greeted,
          async () => void state.greeted++,
          infra.logger,
        );
      },
    };
    return { module, api };
  },
  client: (url, options) => {
    const http = internalClient(url, 'greeter', options);
    return {
      greet: async (userId) => (await http.call<{ text: string }>('GET', `/greet/${userId}`)).text,
    };
  },
});

const registry = [...serviceRegistry, registered(greeterService)];
const servers: TestStore[] = [];

async function start(env: Record<string, string>): Promise<TestStore> {
  const server = await startTestStore(env, registry);
  servers.push(server);
  return server;
}

let serviceTokens: ServiceTokens;
let services: TestStore;
let gateway: TestStore;
let userId: string;

beforeAll(async () => {
  const key = randomBytes(32).toString('hex');
  serviceTokens = new ServiceTokens(key, ['test']);
  services = await start({
    SERVICES: registry.map((s) => s.name).join(','),
    SERVICE_KEY: key,
    GREETER_SALUTATION: 'Welcome',
  });
  const urls = Object.fromEntries(registry.map((s) => [`SERVICE_URL_${s.name.toUpperCase()}`, services.url]));
  gateway = await start({ SERVICES: 'gateway', SERVICE_KEY: key, ...urls });
  const registeredUser = await fetch(`${gateway.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `greeter-${randomBytes(4).toString('hex')}@example.com`,
      password: 'violet-harbour-7-lantern',
      name: 'Grace',
      role: 'customer',
    }),
  });
  expect(registeredUser.status).toBe(201);
  userId = ((await registeredUser.json()) as { user: { id: string } }).user.id;
}, 180_000);

afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
});

describe('a service declared in one place', () => {
  it('is built after its dependency, mounted, and reads its own settings', async () => {
    const names = services.services.plan.local.map((l) => l.service.name);
    expect(names.indexOf('greeter')).toBeGreaterThan(names.indexOf('users'));
    const res = await fetch(`${services.url}/api/v1/greetings/${userId}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toBe('Welcome, Grace');
  });

  it('is reached over HTTP with its client, and routed by a gateway in another process', async () => {
    const remote = greeterService.client(services.url, { tokens: serviceTokens });
    expect(await remote.greet(userId)).toBe('Welcome, Grace');
    const res = await fetch(`${gateway.url}/api/v1/greetings/${userId}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toBe('Welcome, Grace');
  });

  it('has its job scheduled and its event consumed', async () => {
    const state = async () => {
      const res = await fetch(`${services.url}/api/v1/greetings/${userId}`);
      const { ticks, greeted } = (await res.json()) as { ticks: number; greeted: number };
      return ticks > 0 && greeted > 0;
    };
    await expect.poll(state, { timeout: 10_000 }).toBe(true);
  });
});
