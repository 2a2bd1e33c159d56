import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where image bytes live: local disk in the embedded run; an S3-compatible adapter can implement it later. */
export interface BlobStore {
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  has(key: string): Promise<boolean>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export class LocalBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe blob key ${key}`);
    // Two-level fan-out keeps directories small with a million images.
    return join(this.dir, key.slice(0, 2), key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    // Keys are content hashes: write-then-rename makes a concurrent reader see all or nothing. Writers of
    // one key at once (the same image uploaded twice) each need their own temporary file; a pid and a
    // clock are the same for both.
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!SAFE_KEY.test(key)) return undefined;
    return readFile(this.path(key)).catch(() => undefined);
  }

  async has(key: string): Promise<boolean> {
    if (!SAFE_KEY.test(key)) return false;
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }
}
