import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '@emporium/platform';
import { startServer } from './server.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`emporium: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = pino({ level: config.logLevel, base: { service: 'emporium' } });
const started = Date.now();
let server: Awaited<ReturnType<typeof startServer>>;
try {
  server = await startServer(config, logger);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`emporium: cannot start: ${message}`);
  process.exit(1);
}
logger.info(
  { url: server.url, services: config.services, ms: Date.now() - started },
  `Emporium is ready at http://localhost:${config.port}`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests, then stopping');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  });
}
