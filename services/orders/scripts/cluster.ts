// Starts N checkout-node processes on one PostgreSQL and a token signer they all trust.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { ACCESS_TOKEN, ServiceTokens } from '@emporium/platform';
import type { VariantInfo } from '@emporium/cart';

export interface CheckoutCluster {
  urls: string[];
  tokenFor(user: { id: string; role: 'customer' | 'seller' | 'admin' }): Promise<string>;
  /** Signs calls to the nodes' internal routes, with the SERVICE_KEY they share. */
  serviceTokens: ServiceTokens;
  stop(): Promise<void>;
}

export async function startCheckoutCluster(options: {
  processes: number;
  databaseUrl: string;
  gatewayUrl: string;
  /** The gateway's per-run key and webhook secret (`newSandboxCredentials()`). */
  apiKey: string;
  webhookSecret: string;
  variants: VariantInfo[];
}): Promise<CheckoutCluster> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = `cluster-${Date.now()}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  const serviceKey = randomBytes(32).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'checkout-'));
  const fixture = join(dir, 'variants.json');
  writeFileSync(fixture, JSON.stringify(options.variants));
  const script = fileURLToPath(new URL('./checkout-node.ts', import.meta.url));
  const children: ChildProcess[] = [];
  const urls = await Promise.all(
    Array.from({ length: options.processes }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: {
          ...process.env,
          DATABASE_URL: options.databaseUrl,
          PAYMENTS_GATEWAY_URL: options.gatewayUrl,
          PAYMENTS_GATEWAY_API_KEY: options.apiKey,
          PAYMENTS_WEBHOOK_SECRET: options.webhookSecret,
          CHECKOUT_FIXTURE: fixture,
          CHECKOUT_JWKS: JSON.stringify(jwks),
          SERVICE_KEY: serviceKey,
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      return new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /READY (\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`checkout node exited with ${code}`)));
      });
    }),
  );
  return {
    urls,
    serviceTokens: new ServiceTokens(serviceKey, ['test']),
    tokenFor: (user) =>
      new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setSubject(user.id)
        .setIssuer(ACCESS_TOKEN.issuer)
        .setAudience(ACCESS_TOKEN.audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 5_000).unref();
            }),
        ),
      );
    },
  };
}
