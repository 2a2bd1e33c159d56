import { join } from 'node:path';
import { ConfigError, envInteger, envUrl, type Config, type Env } from '@emporium/platform';

/** The notifications service's own variables, read once at start. */
export interface NotificationSettings {
  /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://...`); unset: `.eml` files under `mailDir`. */
  smtpUrl: string | undefined;
  /** DATA_DIR/mail: where the embedded notifier writes one file per notice. */
  mailDir: string;
  /** NOTIFY_FROM, default `Emporium <no-reply@emporium.localhost>`. */
  from: string;
  /** STOREFRONT_URL, default `http://localhost:3000`: links in notices point under it. */
  storeUrl: string;
  /** NOTIFY_MAX_ATTEMPTS, default 8: a notice that failed this often is given up (status `failed`). */
  maxAttempts: number;
}

const ADDRESS = /^[^\r\n<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/;

export function notificationSettings(env: Env, config: Pick<Config, 'dataDir'>): NotificationSettings {
  const from = env.NOTIFY_FROM || 'Emporium <no-reply@emporium.localhost>';
  if (!ADDRESS.test(from))
    throw new ConfigError(
      'NOTIFY_FROM',
      `must be an address such as "Shop <shop@example.com>", got "${from}"`,
    );
  return {
    smtpUrl: envUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailDir: join(config.dataDir, 'mail'),
    from,
    storeUrl: (envUrl(env, 'STOREFRONT_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(
      /\/$/,
      '',
    ),
    maxAttempts: envInteger(env, 'NOTIFY_MAX_ATTEMPTS', 8, 1, 100),
  };
}
