import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCache, testUrls } from '../testing.ts';
import type { Cache } from './cache.ts';

describe(`cache (${testUrls.redis ? 'Redis' : 'memory'})`, () => {
  let cache: Cache;
  beforeAll(async () => {
    cache = await testCache();
  });
  afterAll(async () => {
    await cache.deletePrefix('');
    await cache.close();
  });

  it('stores, reads and deletes JSON values', async () => {
    await cache.set('product:1', { title: 'Lamp', price: 1999 }, 60);
    expect(await cache.get('product:1')).toEqual({ title: 'Lamp', price: 1999 });
    await cache.delete('product:1');
    expect(await cache.get('product:1')).toBeUndefined();
  });

  it('expires values after their TTL', async () => {
    await cache.set('short', 'lived', 1);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await cache.get('short')).toBeUndefined();
  });

  it('deletes by prefix only the matching keys', async () => {
    await cache.set('category:a:1', 1, 60);
    await cache.set('category:a:2', 2, 60);
    await cache.set('category:b:1', 3, 60);
    await cache.deletePrefix('category:a:');
    expect(await cache.get('category:a:1')).toBeUndefined();
    expect(await cache.get('category:a:2')).toBeUndefined();
    expect(await cache.get('category:b:1')).toBe(3);
  });

  it('loads a cold key once under 200 concurrent readers', async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 50));
      return { value: 42 };
    };
    const results = await Promise.all(Array.from({ length: 200 }, () => cache.getOrLoad('cold', 60, load)));
    expect(loads).toBe(1);
    expect(results.every((r) => r.value === 42)).toBe(true);
  });

  it('does not cache a failed load', async () => {
    await expect(
      cache.getOrLoad('failing', 60, async () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow();
    expect(await cache.getOrLoad('failing', 60, async () => 'recovered')).toBe('recovered');
  });
});
