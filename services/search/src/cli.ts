/**
 * `npm run search -- <command>`
 *   eval --products FILE --queries FILE [--k 10] [--out FILE] [--no-ranker]
 *       index a products TSV (product_id, title), run a queries TSV (query_id, query), write
 *       query_id, product_id, rank (rank 1 first).
 *   reindex
 *       rebuild the service's index from the catalog (configured like the server: DATABASE_URL,
 *       DATA_DIR, SERVICE_URL_CATALOG...) and write DATA_DIR/search/index.snapshot.
 *   reindex --ndjson FILE --snapshot FILE
 *       build an index from NDJSON search documents and write a snapshot.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { loadConfig } from '@emporium/platform';
import { buildIndexFrom } from './build.ts';
import { reindexFromCatalog } from './service/reindex.ts';
import { formatRun, indexTitles, runQueries } from './eval.ts';
import { DEFAULT_RANKER_PATH, loadRanker } from './ranker/ranker.ts';
import { loadSynonyms } from './synonyms.ts';
import { readPairs } from './tsv.ts';
import type { SearchDocument } from './types.ts';

const SYNONYMS = new URL('../synonyms.txt', import.meta.url).pathname;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function required(args: string[], name: string): string {
  const v = flag(args, name);
  if (!v) throw new Error(`missing --${name}`);
  return v;
}

function progress(label: string): (n: number) => void {
  return (n) => process.stderr.write(`\r${label} ${n.toLocaleString('en')} documents`);
}

async function evalCommand(args: string[]): Promise<void> {
  const k = Number(flag(args, 'k') ?? 10);
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new Error('--k must be an integer from 1 to 1000');
  const ranker = args.includes('--no-ranker') ? undefined : await loadRanker(DEFAULT_RANKER_PATH.pathname);
  const index = await indexTitles(
    await readPairs(required(args, 'products')),
    await loadSynonyms(SYNONYMS),
    ranker,
    progress('indexed'),
  );
  process.stderr.write('\n');
  const queries = await readPairs(required(args, 'queries'));
  const started = performance.now();
  const run = runQueries(index, queries, k);
  process.stderr.write(
    `${queries.length} queries in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const out = flag(args, 'out');
  if (out) await writeFile(out, formatRun(run));
  else process.stdout.write(formatRun(run));
}

async function* ndjson(file: string): AsyncGenerator<SearchDocument> {
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line.trim()) yield JSON.parse(line) as SearchDocument;
  }
}

async function reindexFromCatalogCommand(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const spin = '|/-\\';
  const report = await reindexFromCatalog(config, logger, (p) => {
    const rate = p.elapsedMs > 0 ? Math.round((p.indexed * 1000) / p.elapsedMs) : 0;
    const frame = spin[Math.floor(p.indexed / 1000) % spin.length];
    process.stderr.write(`\r[${frame}] indexed ${p.indexed.toLocaleString('en')} products (${rate}/s)   `);
  });
  process.stderr.write(
    `\nsnapshot ${report.snapshot}: ${report.documents} products in ${(report.elapsedMs / 1000).toFixed(1)} s\n`,
  );
}

async function reindexCommand(args: string[]): Promise<void> {
  if (!args.includes('--ndjson')) return reindexFromCatalogCommand();
  const index = await buildIndexFrom(
    ndjson(required(args, 'ndjson')),
    (p) => progress('indexed')(p.indexed),
    {
      synonyms: await loadSynonyms(SYNONYMS),
    },
  );
  await index.saveSnapshot(required(args, 'snapshot'));
  process.stderr.write(`\nsnapshot written (${index.size()} documents)\n`);
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'eval') await evalCommand(rest);
  else if (command === 'reindex') await reindexCommand(rest);
  else {
    process.stderr.write(
      'usage: npm run search -- eval --products FILE --queries FILE [--k 10] [--out FILE] | reindex [--ndjson FILE --snapshot FILE]\n',
    );
    process.exitCode = 2;
  }
} catch (e) {
  process.stderr.write(`search: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
