import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@emporium/platform';

/**
 * Login throttling with growing delays (ADR 0503). Each key (an account, an IP) allows `free` attempts;
 * every attempt after that must wait twice as long as the one before, up to `maxDelayMs`. An attempt is
 * booked before the password is checked, atomically, so a burst of parallel guesses is serialised too.
 */
export interface ThrottlePolicy {
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no attempt for this long starts again from zero. */
  forgetAfterMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  free: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
};
export const IP_POLICY: ThrottlePolicy = {
  free: 30,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
};

export type Booking = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface AttemptCounter {
  book(key: string, policy: ThrottlePolicy, now: number): Promise<Booking>;
  /** Forget every attempt (a successful login on the account). */
  reset(key: string): Promise<void>;
  /** Give one attempt back (a successful login from the IP). */
  refund(key: string): Promise<void>;
}

export const delayAfter = (count: number, p: ThrottlePolicy) =>
  count <= p.free ? 0 : Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (count - p.free - 1));

/** One process's counters; the JavaScript event loop makes each call atomic. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly entries = new Map<string, { count: number; nextAt: number; expiresAt: number }>();

  async book(key: string, policy: ThrottlePolicy, now: number): Promise<Booking> {
    const entry = this.live(key, now) ?? { count: 0, nextAt: 0, expiresAt: 0 };
    if (now < entry.nextAt) return { allowed: false, retryAfterMs: entry.nextAt - now };
    const count = entry.count + 1;
    const delay = delayAfter(count, policy);
    this.entries.set(key, { count, nextAt: now + delay, expiresAt: now + policy.forgetAfterMs + delay });
    if (this.entries.size > 100_000) this.prune(now);
    return { allowed: true };
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async refund(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) entry.count = Math.max(0, entry.count - 1);
  }

  private live(key: string, now: number) {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  private prune(now: number) {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

const BOOK_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
local count, nextAt = 0, 0
if raw then
  local c, n = string.match(raw, '(%d+):(%d+)')
  count, nextAt = tonumber(c), tonumber(n)
end
local now = tonumber(ARGV[1])
if now < nextAt then return nextAt - now end
count = count + 1
local free, base, max, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local delay = 0
if count > free then delay = math.min(max, base * 2 ^ (count - free - 1)) end
redis.call('SET', KEYS[1], string.format('%.0f:%.0f', count, now + delay), 'PX', string.format('%.0f', forget + delay))
return 0`;

const REFUND_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local c, n = string.match(raw, '(%d+):(%d+)')
local count = math.max(0, tonumber(c) - 1)
redis.call('SET', KEYS[1], string.format('%.0f:%s', count, n), 'KEEPTTL')
return 0`;

/** Counters shared by every process through Redis; each call is one Lua script, so atomic. */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    /** `<DEPLOYMENT_NAME>:users:throttle:`, so stores sharing a Redis keep their own counters. */
    private readonly namespace: string,
  ) {}

  async book(key: string, policy: ThrottlePolicy, now: number): Promise<Booking> {
    const wait = Number(
      await this.redis.eval(
        BOOK_SCRIPT,
        1,
        this.namespace + key,
        now,
        policy.free,
        policy.baseDelayMs,
        policy.maxDelayMs,
        policy.forgetAfterMs,
      ),
    );
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.namespace + key);
  }

  async refund(key: string): Promise<void> {
    await this.redis.eval(REFUND_SCRIPT, 1, this.namespace + key);
  }
}

/** Account keys are hashed: the counters store never holds an email address. */
export const accountKey = (emailKey: string) =>
  `acct:${createHash('sha256').update(emailKey).digest('base64url')}`;
export const ipKey = (ip: string) => `ip:${ip}`;

export class LoginThrottle {
  constructor(
    private readonly counter: AttemptCounter,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Books an attempt for the account and the IP, or throws TooManyRequests with the wait. */
  async book(emailKey: string, ip: string): Promise<void> {
    const now = this.clock();
    const [account, address] = await Promise.all([
      this.counter.book(accountKey(emailKey), ACCOUNT_POLICY, now),
      this.counter.book(ipKey(ip), IP_POLICY, now),
    ]);
    const waits = [account, address].flatMap((b) => (b.allowed ? [] : [b.retryAfterMs]));
    if (waits.length > 0) {
      const retryAfterSeconds = Math.ceil(Math.max(...waits) / 1000);
      throw new AppError('TooManyRequests', `Too many login attempts; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }

  async succeeded(emailKey: string, ip: string): Promise<void> {
    await Promise.all([this.counter.reset(accountKey(emailKey)), this.counter.refund(ipKey(ip))]);
  }
}
