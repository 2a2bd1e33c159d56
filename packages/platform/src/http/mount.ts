import type { ServiceModule } from '../service.ts';
import type { HttpServer } from './server.ts';

/** Mounts a service's public routes under /api/v1 and its internal ones under /internal/<name>. */
export async function mountService(app: HttpServer, module: ServiceModule): Promise<void> {
  if (module.routes) {
    const routes = module.routes.bind(module);
    await app.register(async (scoped) => routes(scoped as HttpServer), { prefix: '/api/v1' });
  }
  if (module.internalRoutes) {
    const routes = module.internalRoutes.bind(module);
    await app.register(async (scoped) => routes(scoped as HttpServer), {
      prefix: `/internal/${module.name}`,
    });
  }
}
