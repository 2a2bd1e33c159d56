import type { ServiceContext, ServiceModule, ServiceName } from '@emporium/platform';
import { createInventoryService, InventoryHttpClient } from '@emporium/inventory';
import { createUsersService, UsersHttpClient } from '@emporium/users';

/**
 * The domain APIs of the services, by name. A service that runs in this process contributes its
 * implementation; one that runs elsewhere contributes its typed HTTP client. Callers cannot tell which.
 */
export interface ServiceApis {
  [name: string]: unknown;
}

export interface ServiceEntry {
  name: ServiceName;
  /** Services whose API this one calls; they are built first (or reached over HTTP). */
  dependsOn: ServiceName[];
  create(context: ServiceContext, apis: ServiceApis): Promise<{ module: ServiceModule; api: unknown }>;
  /** The typed HTTP client for this service when it runs in another process. */
  client?(baseUrl: string): unknown;
}

/** Every service this build knows, in an order where dependencies come first. */
export const serviceEntries: ServiceEntry[] = [
  {
    name: 'users',
    dependsOn: [],
    create: (ctx) => createUsersService(ctx),
    client: (url) => new UsersHttpClient(url),
  },
  {
    name: 'inventory',
    dependsOn: [],
    create: (ctx) => createInventoryService(ctx),
    client: (url) => new InventoryHttpClient(url),
  },
];
