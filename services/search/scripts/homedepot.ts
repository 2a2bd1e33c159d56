/**
 * Loads the Home Depot development split (evaluation-only data, read in place from
 * ../shared/data/homedepot relative to the repo root, or $EMPORIUM_SHARED_DATA/homedepot).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Judgments } from '../src/metrics.ts';
import { readPairs, readTsv } from '../src/tsv.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function homedepotDir(): string {
  const base = process.env.EMPORIUM_SHARED_DATA ?? join(repoRoot, '..', 'shared', 'data');
  const dir = join(base, 'homedepot');
  if (!existsSync(join(dir, 'products.tsv'))) throw new Error(`Home Depot data not found in ${dir}`);
  return dir;
}

export interface HomeDepot {
  products: [string, string][];
  queries: [string, string][];
  judgments: Judgments;
  dir: string;
}

export async function loadHomeDepot(): Promise<HomeDepot> {
  const dir = homedepotDir();
  const judgments: Judgments = new Map();
  for await (const [q, p, r] of readTsv(join(dir, 'judgments.tsv'))) {
    if (!q || !p || r === undefined) continue;
    const m = judgments.get(q) ?? new Map<string, number>();
    m.set(p, Number(r) - 1);
    judgments.set(q, m);
  }
  return {
    products: await readPairs(join(dir, 'products.tsv')),
    queries: await readPairs(join(dir, 'queries.tsv')),
    judgments,
    dir,
  };
}
