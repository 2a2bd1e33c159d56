/**
 * `npm run bench -- auth [--seconds N] [--rounds N]`: how the argon2id parameters were chosen (time per
 * hash of OWASP-equivalent settings, measured here), logins per second and p99 through the composed app
 * with the chosen parameters, and access-token verification at the gateway: a public route without a
 * token (the baseline), the same route with a token (pure verification cost), and a protected route.
 */
import autocannon from 'autocannon';
import argon2 from 'argon2';
import { fileURLToPath } from 'node:url';
import type { JSONWebKeySet } from 'jose';
import { createAccessTokenVerifier } from '@emporium/platform';
import { ARGON2_PARAMS } from '../services/users/src/passwords.ts';
import { machineInfo, median, startProcess, stopProcess, writeResults } from './lib/autocannon.ts';
import { numberOption } from './lib/options.ts';

const serverScript = fileURLToPath(new URL('./_auth-server.ts', import.meta.url));
const PASSWORD = 'violet-harbour-7-lantern';

/** OWASP's equivalent argon2id settings (same defence, memory traded for passes), and the library default. */
const CANDIDATES = [
  { label: 'm=46 MiB, t=1, p=1 (OWASP)', memoryCost: 47_104, timeCost: 1, parallelism: 1 },
  { label: 'm=19 MiB, t=2, p=1 (OWASP, chosen)', memoryCost: 19_456, timeCost: 2, parallelism: 1 },
  { label: 'm=12 MiB, t=3, p=1 (OWASP)', memoryCost: 12_288, timeCost: 3, parallelism: 1 },
  { label: 'm=9 MiB, t=4, p=1 (OWASP)', memoryCost: 9_216, timeCost: 4, parallelism: 1 },
  { label: 'm=64 MiB, t=3, p=4 (argon2 package default)', memoryCost: 65_536, timeCost: 3, parallelism: 4 },
];

async function measureParameters(samples: number) {
  const rows = [];
  for (const c of CANDIDATES) {
    process.stderr.write(`argon2id ${c.label}\n`);
    const options = {
      type: argon2.argon2id as 2,
      memoryCost: c.memoryCost,
      timeCost: c.timeCost,
      parallelism: c.parallelism,
    };
    const hash = await argon2.hash(PASSWORD, options);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await argon2.verify(hash, PASSWORD);
      times.push(performance.now() - started);
    }
    const ms = median(times);
    rows.push({
      parameters: c.label,
      medianMs: Number(ms.toFixed(1)),
      verifiesPerSecondPerCore: Math.round(1000 / ms),
    });
  }
  return rows;
}

/**
 * The ceiling for logins: bare argon2id verifications with the chosen parameters, 4 at a time (as many
 * as the login load's connections), in this process: what logins would reach if nothing else cost.
 */
async function argon2Ceiling(seconds: number): Promise<Load> {
  const hash = await argon2.hash(PASSWORD, ARGON2_PARAMS);
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await argon2.verify(hash, PASSWORD);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1));
  return { requestsPerSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), non2xx: 0 };
}

interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

async function load(opts: autocannon.Options): Promise<Load> {
  const r = await autocannon(opts);
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
  };
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** In-process verifications per second with the server's published keys: the verifier's own cost. */
async function verifierThroughput(base: string, token: string, iterations: number) {
  const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const verifier = createAccessTokenVerifier({ jwks: async () => jwks });
  await verifier.verify(token);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await verifier.verify(token);
  return Math.round(iterations / ((performance.now() - started) / 1000));
}

const summarise = (name: string, results: Load[], baseline?: number) => {
  const rps = median(results.map((r) => r.requestsPerSecond));
  return {
    name,
    requestsPerSecond: Math.round(rps),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    ratioToBaseline: baseline ? Number((rps / baseline).toFixed(3)) : 1,
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
  };
};

export async function main(args: string[]): Promise<void> {
  const seconds = numberOption(args, 'seconds', 6);
  const rounds = numberOption(args, 'rounds', 2);
  const parameters = await measureParameters(numberOption(args, 'samples', 12));
  console.table(parameters);

  const { url: base, child } = await startProcess(serverScript, []);
  const runs: Record<string, Load[]> = { argon2: [], logins: [], baseline: [], withToken: [], protected: [] };
  let verifies = 0;
  try {
    const email = `bench-${Date.now()}@example.com`;
    const session = await post<{ accessToken: string }>(`${base}/api/v1/auth/register`, {
      email,
      password: PASSWORD,
      name: 'Bench User',
      role: 'customer',
    });
    const bearer = { authorization: `Bearer ${session.accessToken}` };
    verifies = await verifierThroughput(base, session.accessToken, 5_000);
    for (let round = 0; round < rounds; round++) {
      process.stderr.write(`round ${round + 1}/${rounds}: argon2id ceiling, logins\n`);
      runs.argon2!.push(await argon2Ceiling(seconds));
      runs.logins!.push(
        await load({
          url: `${base}/api/v1/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: PASSWORD }),
          connections: 4,
          duration: seconds,
        }),
      );
      process.stderr.write(`round ${round + 1}/${rounds}: token verification\n`);
      runs.baseline!.push(await load({ url: `${base}/healthz`, connections: 32, duration: seconds }));
      runs.withToken!.push(
        await load({ url: `${base}/healthz`, headers: bearer, connections: 32, duration: seconds }),
      );
      runs.protected!.push(
        await load({ url: `${base}/api/v1/me`, headers: bearer, connections: 32, duration: seconds }),
      );
    }
  } finally {
    await stopProcess(child);
  }
  const baseline = median(runs.baseline!.map((r) => r.requestsPerSecond));
  const ceiling = median(runs.argon2!.map((r) => r.requestsPerSecond));
  const logins = [
    summarise('argon2id verify alone, 4 concurrent (login ceiling, baseline)', runs.argon2!, ceiling),
    summarise('POST /api/v1/auth/login (4 connections)', runs.logins!, ceiling),
  ];
  const gateway = [
    summarise('GET /healthz, no token (baseline)', runs.baseline!, baseline),
    summarise('GET /healthz with a valid access token (EdDSA verify)', runs.withToken!, baseline),
    summarise('GET /api/v1/me, protected (verify + role check + DB read)', runs.protected!, baseline),
  ];
  console.table(logins);
  console.table(gateway);
  console.log(`in-process verifier: ${verifies} verifications/s on one core`);
  writeResults(
    'auth',
    {
      ...machineInfo(),
      chosen: ARGON2_PARAMS,
      seconds,
      rounds,
      parameters,
      logins,
      gateway,
      verifierPerSecond: verifies,
      raw: runs,
    },
    markdown({ seconds, rounds, parameters, logins, gateway, verifies }),
  );
}

function markdown(r: {
  seconds: number;
  rounds: number;
  parameters: { parameters: string; medianMs: number; verifiesPerSecondPerCore: number }[];
  logins: ReturnType<typeof summarise>[];
  gateway: ReturnType<typeof summarise>[];
  verifies: number;
}): string {
  const row = (g: ReturnType<typeof summarise>) =>
    `| ${g.name} | ${g.requestsPerSecond} | ${g.p50Ms} | ${g.p99Ms} | ${g.ratioToBaseline} | ${g.non2xx} |`;
  return [
    '# Auth benchmark',
    '',
    `\`npm run bench -- auth\` — composed app (gateway + users, PGlite) in its own process, autocannon in another, ${r.seconds} s × ${r.rounds} rounds, medians; one 2-core machine shared with other work.`,
    '',
    '## argon2id parameters (one verification, median)',
    '',
    '| parameters | ms | verifications/s per core |',
    '|---|---|---|',
    ...r.parameters.map((p) => `| ${p.parameters} | ${p.medianMs} | ${p.verifiesPerSecondPerCore} |`),
    '',
    '## Logins (baseline: argon2id verifications alone, same concurrency)',
    '',
    '| target | per s | p50 ms | p99 ms | ratio to baseline | non-2xx |',
    '|---|---|---|---|---|---|',
    ...r.logins.map(row),
    '',
    '## Token verification at the gateway (baseline: the same public route without a token)',
    '',
    '| target | req/s | p50 ms | p99 ms | ratio to baseline | non-2xx |',
    '|---|---|---|---|---|---|',
    ...r.gateway.map(row),
    '',
    `In-process verifier (jose, EdDSA, cached JWKS): ${r.verifies} verifications/s on one core.`,
  ].join('\n');
}
