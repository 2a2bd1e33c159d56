import { ConfigError, type Env } from '@emporium/platform';

/** The users service's own variables. */
export interface UsersSettings {
  /** ADMIN_EMAIL + ADMIN_PASSWORD: the first admin account, created (or promoted) at start. */
  admin: { email: string; password: string } | undefined;
}

export function usersSettings(env: Env): UsersSettings {
  const email = env.ADMIN_EMAIL || undefined;
  const password = env.ADMIN_PASSWORD || undefined;
  if (Boolean(email) !== Boolean(password))
    throw new ConfigError(email ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'must be set together with the other');
  return { admin: email && password ? { email, password } : undefined };
}
