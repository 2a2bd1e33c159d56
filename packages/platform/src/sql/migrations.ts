import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Migration } from './database.ts';

/** Reads `NNNN_name.sql` files of a service's migrations folder. */
export async function loadMigrations(folder: string): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => ({
      id: file.replace(/\.sql$/, ''),
      sql: await readFile(join(folder, file), 'utf8'),
    })),
  );
}
