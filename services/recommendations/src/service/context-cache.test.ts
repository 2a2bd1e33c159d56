import { describe, expect, it } from 'vitest';
import { ContextCache } from './context-cache.ts';
import type { ContextRow } from './store.ts';

const row = (productId: string): ContextRow => ({ productId, kind: 'view', inSession: false });

describe('ContextCache', () => {
  it('reuses a caller context until a write of that user or session drops it', async () => {
    const cache = new ContextCache(60_000);
    let loads = 0;
    const load = async () => [row(`p${++loads}`)];
    const actor = { userId: 'u1', sessionId: 's1' };
    expect(await cache.get(actor, load)).toEqual([row('p1')]);
    expect(await cache.get(actor, load)).toEqual([row('p1')]);
    cache.invalidate(['someone-else'], []);
    expect(await cache.get(actor, load)).toEqual([row('p1')]);
    cache.invalidate([], ['s1']);
    expect(await cache.get(actor, load)).toEqual([row('p2')]);
    cache.invalidate(['u1'], []);
    expect(await cache.get(actor, load)).toEqual([row('p3')]);
  });

  it('does not keep a load that overlapped a write', async () => {
    const cache = new ContextCache(60_000);
    let release!: () => void;
    const slow = () => new Promise<ContextRow[]>((ok) => (release = () => ok([row('old')])));
    const pending = cache.get({ userId: 'u1' }, slow);
    cache.invalidate(['u1'], []);
    release();
    expect(await pending).toEqual([row('old')]);
    expect(await cache.get({ userId: 'u1' }, async () => [row('new')])).toEqual([row('new')]);
  });
});
