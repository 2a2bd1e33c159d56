import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RegisteredService } from '@emporium/platform';
import { buildOrder, planComposition } from './compose.ts';
import { serviceRegistry } from './registry.ts';

const KEY = { SERVICE_KEY: 'k'.repeat(32) };
const fake = (name: string, ...needs: string[]): RegisteredService => ({
  ...serviceRegistry[0]!,
  name,
  needs: needs.map((service) => ({ key: service, service, optional: false })),
});

describe('composition plan', () => {
  it('builds every service after the services it needs, whatever the registry order', () => {
    const ordered = buildOrder([...serviceRegistry].reverse()).map((s) => s.name);
    for (const service of serviceRegistry)
      for (const need of service.needs)
        expect(ordered.indexOf(need.service), `${need.service} before ${service.name}`).toBeLessThan(
          ordered.indexOf(service.name),
        );
    expect(new Set(ordered)).toEqual(new Set(serviceRegistry.map((s) => s.name)));
  });

  it('refuses a dependency cycle, naming it', () => {
    expect(() => buildOrder([fake('a', 'b'), fake('b', 'c'), fake('c', 'a')])).toThrow(/a → b → c → a/);
  });

  it('refuses a name in SERVICES or SERVICE_URL_<NAME> that no definition carries', () => {
    expect(() => planComposition(loadConfig({ SERVICES: 'gateway,warehouse' }))).toThrow(ConfigError);
    expect(() => planComposition(loadConfig({ SERVICES: 'gateway,warehouse' }))).toThrow(/"warehouse"/);
    expect(() => planComposition(loadConfig({ SERVICE_URL_WAREHOUSE: 'http://10.0.0.9:1', ...KEY }))).toThrow(
      /SERVICE_URL_WAREHOUSE/,
    );
  });

  it('needs the URL of every required dependency elsewhere, and of every service for a gateway', () => {
    expect(() => planComposition(loadConfig({ SERVICES: 'search', ...KEY }))).toThrow(/SERVICE_URL_/);
    const urls = { SERVICE_URL_CATALOG: 'http://c:1', SERVICE_URL_INVENTORY: 'http://i:1' };
    const plan = planComposition(loadConfig({ SERVICES: 'search', ...urls, ...KEY }));
    expect(plan.local.map((l) => l.service.name)).toEqual(['search']);
    expect(plan.remote.map((r) => r.service.name).sort()).toEqual(['catalog', 'inventory']);
    expect(plan.gateway).toBe(false);
    expect(() => planComposition(loadConfig({ SERVICES: 'gateway', ...urls, ...KEY }))).toThrow(
      /SERVICE_URL_USERS/,
    );
  });

  it("reads a local service's own settings at planning time, one line per mistake", () => {
    expect(() => planComposition(loadConfig({ ADMIN_EMAIL: 'a@example.com' }))).toThrow(/ADMIN_PASSWORD/);
    const plan = planComposition(loadConfig({ SERVICES: 'users,catalog,inventory', ...KEY }));
    expect(plan.local.find((l) => l.service.name === 'users')?.settings).toEqual({ admin: undefined });
    expect(() => planComposition(loadConfig({ STORE_CURRENCY: 'dollars' }))).toThrow(/STORE_CURRENCY/);
    const euros = planComposition(loadConfig({ STORE_CURRENCY: 'EUR' }));
    expect(euros.local.find((l) => l.service.name === 'cart')?.settings).toEqual({ currency: 'EUR' });
  });
});
