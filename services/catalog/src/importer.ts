import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { FieldError } from '@emporium/platform';
import type { Actor, Catalog } from './catalog.ts';
import { parseCsv } from './csv.ts';
import { RowGrouper, type SourceProduct } from './rows.ts';
import { checkProduct } from './validate.ts';
import type { WriteItem } from './writer.ts';

export type ImportFormat = 'csv' | 'ndjson';

export function formatOf(contentTypeOrName: string): ImportFormat | undefined {
  const s = contentTypeOrName.toLowerCase();
  if (s.includes('csv')) return 'csv';
  if (s.includes('ndjson') || s.includes('jsonl')) return 'ndjson';
  return undefined;
}

export interface ImportReport {
  rows: number;
  products: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { line: number; errors: FieldError[] }[];
  errorsTruncated: boolean;
  elapsedMs: number;
}

export interface ImportOptions {
  actor: Actor;
  /** Every row goes to this seller; without it, a row's own `seller` column (CLI only). */
  sellerId?: string;
  format: ImportFormat;
  input: Readable;
  batchSize?: number;
  /** Forward `stock` columns to inventory (default true); one inventory call per sku. */
  forwardStock?: boolean;
  /**
   * Create the category paths the tree lacks: an admin's or operator's import only (the CLI's
   * `--create-categories`). Otherwise a row naming an unknown category fails with the closest ones.
   */
  createCategories?: boolean;
  /** Batches written at once (default 2). */
  concurrency?: number;
  onProgress?: (report: ImportReport & { bytes: number }) => void;
}

const MAX_REPORTED_ERRORS = 1000;

async function* ndjsonRows(
  input: Readable,
  progress: { bytes: number },
): AsyncGenerator<{ line: number; row?: Record<string, unknown>; error?: string }> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    progress.bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    try {
      const row: unknown = JSON.parse(text);
      if (typeof row !== 'object' || row === null || Array.isArray(row))
        yield { line, error: 'is not a JSON object' };
      else yield { line, row: row as Record<string, unknown> };
    } catch {
      yield { line, error: 'is not valid JSON' };
    }
  }
}

async function* csvRows(
  input: Readable,
  progress: { bytes: number },
): AsyncGenerator<{ line: number; row?: Record<string, unknown>; error?: string }> {
  input.setEncoding('utf8');
  let header: string[] | undefined;
  async function* counted() {
    for await (const chunk of input as AsyncIterable<string>) {
      progress.bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  }
  for await (const record of parseCsv(counted())) {
    if (!header) {
      header = record.fields.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
      continue;
    }
    if (record.fields.length !== header.length) {
      yield {
        line: record.line,
        error: `has ${record.fields.length} columns, the header has ${header.length}`,
      };
      continue;
    }
    const row: Record<string, unknown> = {};
    header.forEach((name, i) => (row[name] = record.fields[i]));
    yield { line: record.line, row };
  }
}

/**
 * Streams a CSV or NDJSON file into the catalog in constant memory: rows are grouped into products,
 * validated, and written in batches through the same write path as the seller API (idempotent upsert by
 * the seller's handle and sku). Bad rows are reported with their line and reasons; good rows land.
 */
export async function importProducts(catalog: Catalog, options: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const report: ImportReport = {
    rows: 0,
    products: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    errors: [],
    errorsTruncated: false,
    elapsedMs: 0,
  };
  const progress = { bytes: 0 };
  const batchSize = options.batchSize ?? 500;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const pending = new Set<Promise<void>>();
  const grouper = new RowGrouper(catalog.storeCurrency);
  let batch: SourceProduct[] = [];

  const fail = (line: number, errors: FieldError[]) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, errors });
    else report.errorsTruncated = true;
  };
  // Up to `concurrency` batches are written at once (separate pool connections on PostgreSQL).
  const flush = async () => {
    const written = writeBatch(catalog, options, batch, report, fail).then(() => {
      pending.delete(written);
      report.elapsedMs = Date.now() - started;
      options.onProgress?.({ ...report, bytes: progress.bytes });
    });
    pending.add(written);
    batch = [];
    if (pending.size >= concurrency) await Promise.race(pending);
  };

  const rows =
    options.format === 'csv' ? csvRows(options.input, progress) : ndjsonRows(options.input, progress);
  for await (const { line, row, error } of rows) {
    report.rows++;
    if (error || !row) {
      fail(line, [{ field: 'row', message: error ?? 'is empty' }]);
      continue;
    }
    batch.push(...grouper.push(line, row));
    if (batch.length >= batchSize) await flush();
  }
  batch.push(...grouper.flush());
  await flush();
  await Promise.all(pending);
  report.errors.sort((a, b) => a.line - b.line);
  return report;
}

async function writeBatch(
  catalog: Catalog,
  options: ImportOptions,
  batch: SourceProduct[],
  report: ImportReport,
  fail: (line: number, errors: FieldError[]) => void,
) {
  const items: WriteItem[] = [];
  for (const source of batch) {
    report.products++;
    if (source.errors) {
      fail(source.line, source.errors);
      continue;
    }
    const checked = checkProduct(source.body);
    if (!checked.ok) {
      fail(source.line, checked.errors);
      continue;
    }
    const sellerId = options.sellerId ?? source.seller;
    if (!sellerId) {
      fail(source.line, [{ field: 'seller', message: 'is required (or pass --seller)' }]);
      continue;
    }
    items.push({ line: source.line, sellerId, input: checked.value });
  }
  const createCategories = options.createCategories === true && options.actor.role === 'admin';
  const written = await catalog.writeBatch(options.actor, items, {
    forwardStock: options.forwardStock,
    createCategories,
  });
  for (const r of written) {
    if (r.errors) fail(r.line, r.errors);
    else if (r.outcome) report[r.outcome]++;
  }
}
