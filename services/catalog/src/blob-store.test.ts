import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from './blob-store.ts';

describe('local blob store', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('takes twelve concurrent writes of one key, keeping one whole file and no temporary ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    const store = new LocalBlobStore(dir);
    const data = Buffer.alloc(256 * 1024, 7);
    await Promise.all(Array.from({ length: 12 }, () => store.put('ab12.png', data)));
    expect(await store.get('ab12.png')).toEqual(data);
    expect(await readdir(join(dir, 'ab'))).toEqual(['ab12.png']);
  });
});
