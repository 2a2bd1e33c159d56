// `npm run catalog -- import FILE [--seller ID]` and `npm run catalog -- generate N [--out FILE] [--seed S]`.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, openInfrastructure } from '@emporium/platform';
import { createInventoryService } from '@emporium/inventory';
import { createCatalogService } from './service.ts';
import { formatOf, importProducts, type ImportReport } from './importer.ts';
import { generateCatalog } from './generator.ts';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function progressBar(done: number, total: number, extra: string): string {
  const width = 30;
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(1)}% ${extra}`;
}

async function runImport(args: string[]) {
  const file = args[0];
  if (!file)
    throw new Error(
      'usage: catalog import FILE [--seller ID] [--no-stock] [--create-categories] [--batch N] [--in-flight N]',
    );
  const format = formatOf(option(args, '--format') ?? file);
  if (!format) throw new Error('FILE must end in .csv, .ndjson or .jsonl (or pass --format csv|ndjson)');
  const config = { ...loadConfig(), seedDemoData: false };
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const infra = await openInfrastructure({
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    natsUrl: config.natsUrl,
    dataDir: config.dataDir,
    logger,
  });
  const inventory = await createInventoryService({ config, infra }, { sweepIntervalMs: 0 });
  const { catalog } = await createCatalogService(
    { config, infra },
    { inventory: inventory.api, drawPlaceholders: false },
  );

  const total = statSync(file).size;
  const started = Date.now();
  const report: ImportReport = await importProducts(catalog, {
    actor: { id: 'catalog-cli', role: 'admin' },
    sellerId: option(args, '--seller'),
    format,
    input: createReadStream(file, { highWaterMark: 256 * 1024 }),
    // Measured in ADR 0605: 1000-product batches, 3 in flight keep both cores and the server busy.
    batchSize: Number(option(args, '--batch') ?? 1000),
    concurrency: Number(option(args, '--in-flight') ?? 3),
    forwardStock: !args.includes('--no-stock'),
    // The operator running the CLI manages the tree: a file may bring the categories it needs.
    createCategories: args.includes('--create-categories'),
    onProgress: (r) => {
      const rate = Math.round(r.rows / Math.max(0.001, (Date.now() - started) / 1000));
      process.stderr.write(progressBar(r.bytes, total, `${r.rows} rows, ${rate} rows/s, ${r.failed} failed`));
    },
  });
  process.stderr.write('\n');

  await infra.close();
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exitCode = report.failed > 0 ? 1 : 0;
}

async function write(out: Writable, line: string) {
  if (!out.write(line)) await once(out, 'drain');
}

async function runGenerate(args: string[]) {
  const count = Number(args[0]);
  if (!Number.isInteger(count) || count < 1)
    throw new Error('usage: catalog generate N [--out FILE] [--seed S]');
  const path = option(args, '--out');
  const out: Writable = path ? createWriteStream(path) : process.stdout;
  const seed = Number(option(args, '--seed') ?? 42);
  let n = 0;
  for (const row of generateCatalog(count, seed)) {
    await write(out, JSON.stringify(row) + '\n');
    if (++n % 10_000 === 0 || n === count) process.stderr.write(progressBar(n, count, `${n} products`));
  }
  process.stderr.write('\n');
  if (path) {
    out.end();
    await once(out, 'finish');
  }
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = {
  import: runImport,
  generate: runGenerate,
};
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(
    'usage: npm run catalog -- import FILE [--seller ID] [--no-stock] [--create-categories] | generate N [--out FILE] [--seed S]\n',
  );
  process.exit(2);
}
await run(rest);
