/**
 * `npm run users -- create-admin <email>` (password from ADMIN_PASSWORD or prompted on stdin) and
 * `npm run users -- rotate-keys`: operations on the users service's own schema, with the same
 * configuration (DATABASE_URL, DATA_DIR) as the server.
 */
import { createInterface } from 'node:readline/promises';
import pino from 'pino';
import { loadConfig, openInfrastructure } from '@emporium/platform';
import { createUsersService } from './service.ts';

const USAGE = 'usage: npm run users -- create-admin <email> | rotate-keys';

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('password for the admin account: ');
  } finally {
    rl.close();
  }
}

async function main(args: string[]): Promise<number> {
  const [command, email] = args;
  if (command !== 'create-admin' && command !== 'rotate-keys') {
    console.error(USAGE);
    return 2;
  }
  if (command === 'create-admin' && !email) {
    console.error(USAGE);
    return 2;
  }
  const password = command === 'create-admin' ? await readPassword() : '';
  // The first admin is made here, from the argument: ADMIN_* are read only by the running store.
  const config = loadConfig();
  const logger = pino({ level: 'warn' });
  const infra = await openInfrastructure({ ...config, logger });
  try {
    const { users } = await createUsersService({ config, infra });
    if (command === 'create-admin') {
      await users.accounts.ensureAdmin(email!, password);
      console.log(`admin account ready: ${email}`);
    } else {
      const { kid } = await users.keys.rotate();
      console.log(`signing with new key ${kid}; older keys stay published until their tokens expire`);
    }
    return 0;
  } catch (error) {
    console.error(`users: ${(error as Error).message}`);
    return 1;
  } finally {
    await infra.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
