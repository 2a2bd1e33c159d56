import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatRun, indexTitles, runQueries } from './eval.ts';
import { parseSynonyms } from './synonyms.ts';

const PRODUCTS: [string, string][] = [
  ['100', 'Simpson Strong-Tie 12-Gauge Angle Bracket'],
  ['101', 'Delta Shower Head in Chrome'],
  ['102', 'Copper Pipe 1/2 in. x 10 ft.'],
];

describe('eval', () => {
  it('ranks every query and writes query_id, product_id, rank with rank 1 first', async () => {
    const index = await indexTitles(PRODUCTS, parseSynonyms('showerhead, shower head'), undefined);
    const run = runQueries(
      index,
      [
        ['1', 'angle bracket'],
        ['2', 'showerhead'],
        ['3', '.5" copper pipe'],
        ['4', 'price:abc pipe'],
      ],
      10,
    );
    expect(run.get('1')?.[0]).toBe('100');
    expect(run.get('2')?.[0]).toBe('101');
    expect(run.get('3')?.[0]).toBe('102');
    expect(run.get('4')?.[0]).toBe('102');
    const lines = formatRun(run).trim().split('\n');
    expect(lines[0]).toBe('query_id\tproduct_id\trank');
    expect(lines[1]).toBe('1\t100\t1');
  });

  it('runs as a command over TSV files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'search-eval-'));
    try {
      await writeFile(
        join(dir, 'p.tsv'),
        'product_id\ttitle\n' + PRODUCTS.map((p) => p.join('\t')).join('\n') + '\n',
      );
      await writeFile(join(dir, 'q.tsv'), 'query_id\tquery\n7\tshower head\n');
      const cli = new URL('./cli.ts', import.meta.url).pathname;
      await promisify(execFile)('npx', [
        'tsx',
        cli,
        'eval',
        '--products',
        join(dir, 'p.tsv'),
        '--queries',
        join(dir, 'q.tsv'),
        '--k',
        '2',
        '--out',
        join(dir, 'out.tsv'),
      ]);
      const out = (await readFile(join(dir, 'out.tsv'), 'utf8')).trim().split('\n');
      expect(out[0]).toBe('query_id\tproduct_id\trank');
      expect(out[1]).toBe('7\t101\t1');
      expect(out.length).toBeLessThanOrEqual(3);
    } finally {
      await rm(dir, { recursive: true });
    }
  }, 30_000);
});
