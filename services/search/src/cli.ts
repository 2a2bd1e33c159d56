/**
 * `npm run search -- <command>`
 *   eval --products FILE --queries FILE [--k 10] [--out FILE] [--no-ranker]
 *       index a products TSV (product_id, title), run a queries TSV (query_id, query), write
 *       query_id, product_id, rank (rank 1 first).
 *   reindex --ndjson FILE --snapshot FILE
 *       build an index from NDJSON search documents and write a snapshot (the service feeds the
 *       catalog through the same buildIndexFrom).
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { buildIndexFrom } from './build.ts';
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

async function reindexCommand(args: string[]): Promise<void> {
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
      'usage: npm run search -- eval --products FILE --queries FILE [--k 10] [--out FILE]\n',
    );
    process.exitCode = 2;
  }
} catch (e) {
  process.stderr.write(`search: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
