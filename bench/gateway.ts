/**
 * `npm run bench -- gateway [--seconds N] [--rounds N]`: req/s and latency of a bare Fastify hello world
 * (the baseline), /healthz through the full gateway chain, and a cached public GET, measured in
 * alternating rounds in one run; ratios to the baseline use the medians.
 */
import { fileURLToPath } from 'node:url';
import {
  load,
  machineInfo,
  median,
  startProcess,
  stopProcess,
  writeResults,
  type LoadResult,
} from './lib/autocannon.ts';
import { numberOption } from './lib/options.ts';

const server = fileURLToPath(new URL('./_gateway-server.ts', import.meta.url));

export async function main(args: string[]): Promise<void> {
  const seconds = numberOption(args, 'seconds', 8);
  const rounds = numberOption(args, 'rounds', 3);
  const bare = await startProcess(server, ['bare']);
  const gateway = await startProcess(server, ['gateway']);
  const targets: Record<string, string> = {
    'bare Fastify (baseline)': `${bare.url}/`,
    '/healthz through the gateway chain': `${gateway.url}/healthz`,
    'public GET with rate limit (no cache)': `${gateway.url}/api/v1/ping`,
    'cached public GET (cache hit)': `${gateway.url}/api/v1/products/p1`,
  };
  const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  try {
    await load(targets['cached public GET (cache hit)']!, { seconds: 1 }); // warm the cache and the JIT
    for (let round = 0; round < rounds; round++) {
      for (const [name, url] of Object.entries(targets)) {
        process.stderr.write(`round ${round + 1}/${rounds}: ${name}\n`);
        runs[name]!.push(await load(url, { seconds }));
      }
    }
  } finally {
    await stopProcess(bare.child);
    await stopProcess(gateway.child);
  }
  const baseline = median(runs['bare Fastify (baseline)']!.map((r) => r.requestsPerSecond));
  const rows = Object.entries(runs).map(([name, results]) => {
    const rps = median(results.map((r) => r.requestsPerSecond));
    return {
      name,
      requestsPerSecond: Math.round(rps),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      ratioToBaseline: Number((rps / baseline).toFixed(3)),
      non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    };
  });
  console.table(rows);
  const table = [
    '| target | req/s (median) | p50 ms | p99 ms | ratio to baseline |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.ratioToBaseline} |`,
    ),
  ].join('\n');
  const markdown = `# Gateway benchmark\n\n\`npm run bench -- gateway\` — autocannon, 32 connections, ${seconds} s x ${rounds} alternating rounds, server and load generator in separate processes on one 2-core machine.\nTargets: full chain >= 0.6 of baseline, cache hit >= 0.4.\n\n${table}\n`;
  writeResults('gateway', { ...machineInfo(), seconds, rounds, rows, raw: runs }, markdown);
}
