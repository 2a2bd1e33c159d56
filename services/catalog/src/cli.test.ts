import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@emporium/platform';
import { testUrls } from '@emporium/platform/testing';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'catalog-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run catalog -- import FILE ...` on its own data directory (or the real PostgreSQL when set). */
function importFile(file: string, extra: string[]) {
  const env = { ...process.env, DATA_DIR: join(dir, 'data'), SEED_DEMO_DATA: 'false' };
  const run = spawnSync(process.execPath, ['--import', 'tsx', cli, 'import', file, ...extra], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {
    status: run.status,
    report: JSON.parse(run.stdout) as {
      created: number;
      failed: number;
      errors: { errors: { message: string }[] }[];
    },
  };
}

describe(`catalog cli import (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('refuses unknown categories per row, and brings them with --create-categories', () => {
    const t = newId().slice(-8);
    const file = join(dir, 'rows.ndjson');
    writeFileSync(
      file,
      [
        `{"sku":"CLI-A-${t}","title":"Lamp","category":"Home/Lighting","price_amount":1999}`,
        `{"sku":"CLI-B-${t}","title":"Kite","category":"Kites ${t}","price_amount":999}`,
      ].join('\n') + '\n',
    );
    const seller = newId();
    const first = importFile(file, ['--seller', seller, '--no-stock']);
    expect(first.status).toBe(1);
    expect(first.report).toMatchObject({ created: 1, failed: 1 });
    expect(first.report.errors[0]!.errors[0]!.message).toContain('not a category of this store');
    const second = importFile(file, ['--seller', seller, '--no-stock', '--create-categories']);
    expect(second.status).toBe(0);
    expect(second.report).toMatchObject({ created: 1, failed: 0 });
  }, 240_000);
});
