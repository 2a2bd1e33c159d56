import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Pseudonymise } from './records.ts';

/**
 * Keyed HMAC of an id: the same person has the same pseudonym across events (so funnels and cohorts
 * work), and without the key nobody can go from a pseudonym back to the id, or test a guessed id.
 */
export const pseudonymiser =
  (key: string): Pseudonymise =>
  (id) =>
    createHmac('sha256', key).update(id).digest('hex').slice(0, 32);

/** The embedded default: a random key made at first start and kept beside the data. */
export async function keyFromFile(path: string): Promise<string> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  await mkdir(dirname(path), { recursive: true });
  const key = randomBytes(32).toString('hex');
  // 'wx': two processes starting at once keep whichever key was written first.
  await writeFile(path, key, { flag: 'wx', mode: 0o600 }).catch(() => undefined);
  return (await readFile(path, 'utf8')).trim();
}
