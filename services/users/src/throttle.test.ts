import { afterAll, describe, expect, it } from 'vitest';
import { openRedis } from '@emporium/platform';
import { testUrls, uniqueName } from '@emporium/platform/testing';
import {
  ACCOUNT_POLICY,
  delayAfter,
  IP_POLICY,
  LoginThrottle,
  MemoryAttemptCounter,
  RedisAttemptCounter,
  type AttemptCounter,
} from './throttle.ts';

const redis = testUrls.redis ? await openRedis(testUrls.redis) : undefined;
afterAll(() => redis?.disconnect());

const backends: [string, () => AttemptCounter][] = [['memory', () => new MemoryAttemptCounter()]];
if (redis) backends.push(['redis', () => new RedisAttemptCounter(redis, `${uniqueName('throttle')}:`)]);

it('doubles the delay after the free attempts, up to the cap', () => {
  const p = ACCOUNT_POLICY;
  expect(delayAfter(p.free, p)).toBe(0);
  expect(delayAfter(p.free + 1, p)).toBe(1_000);
  expect(delayAfter(p.free + 2, p)).toBe(2_000);
  expect(delayAfter(p.free + 5, p)).toBe(16_000);
  expect(delayAfter(p.free + 40, p)).toBe(p.maxDelayMs);
});

describe.each(backends)('login throttle on %s counters', (_name, makeCounter) => {
  const setup = () => {
    let now = 1_800_000_000_000;
    const clock = { advance: (ms: number) => (now += ms) };
    return { throttle: new LoginThrottle(makeCounter(), () => now), clock };
  };
  const attempt = (t: LoginThrottle, email: string, ip: string) =>
    t.book(email, ip).then(
      () => 'allowed',
      (e: { details: { retryAfterSeconds: number } }) => e.details.retryAfterSeconds,
    );

  it('lets the free attempts through, then asks for growing waits', async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < ACCOUNT_POLICY.free; i++)
      expect(await attempt(throttle, 'ann', '10.0.0.1')).toBe('allowed');
    expect(await attempt(throttle, 'ann', '10.0.0.1')).toBe('allowed'); // 6th: books a 1 s wait
    expect(await attempt(throttle, 'ann', '10.0.0.2')).toBe(1); // the account is throttled from any IP
    clock.advance(1_000);
    expect(await attempt(throttle, 'ann', '10.0.0.3')).toBe('allowed'); // books 2 s
    clock.advance(1_000);
    expect(await attempt(throttle, 'ann', '10.0.0.3')).toBe(1);
    clock.advance(1_000);
    expect(await attempt(throttle, 'ann', '10.0.0.3')).toBe('allowed'); // books 4 s
    expect(await attempt(throttle, 'ann', '10.0.0.3')).toBe(4);
  });

  it('forgets an account after a successful login', async () => {
    const { throttle } = setup();
    for (let i = 0; i <= ACCOUNT_POLICY.free; i++) await attempt(throttle, 'bob', '10.0.1.1');
    expect(await attempt(throttle, 'bob', '10.0.1.1')).toBeTypeOf('number');
    await throttle.succeeded('bob', '10.0.1.1');
    expect(await attempt(throttle, 'bob', '10.0.1.1')).toBe('allowed');
  });

  it('throttles an IP that tries many accounts', async () => {
    const { throttle } = setup();
    for (let i = 0; i <= IP_POLICY.free; i++)
      expect(await attempt(throttle, `user${i}`, '10.0.2.1')).toBe('allowed');
    expect(await attempt(throttle, 'someone-else', '10.0.2.1')).toBe(1);
    expect(await attempt(throttle, 'someone-else', '10.0.2.2')).toBe('allowed');
  });

  it('serialises a burst of parallel guesses: only the free ones get through', async () => {
    const { throttle } = setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => attempt(throttle, 'carol', '10.0.3.1')),
    );
    expect(results.filter((r) => r === 'allowed')).toHaveLength(ACCOUNT_POLICY.free + 1);
  });
});
