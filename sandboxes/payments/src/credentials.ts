import { randomBytes } from 'node:crypto';

export interface SandboxCredentials {
  apiKey: string;
  webhookSecret: string;
}

/**
 * A fresh API key and webhook secret for one sandbox run. The defaults are published, so the platform
 * refuses them for a gateway it reaches by URL; tests and scripts give both sides these instead.
 */
export function newSandboxCredentials(): SandboxCredentials {
  return {
    apiKey: `sk_test_${randomBytes(12).toString('hex')}`,
    webhookSecret: `whsec_${randomBytes(16).toString('hex')}`,
  };
}
