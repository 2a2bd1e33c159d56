import { describe, expect, it } from 'vitest';
import { computeSignature, signWebhookPayload } from '@emporium/sandbox-payments';
import { verifyWebhookSignature } from './signature.ts';

const secret = 'whsec_test_secret';
const body = JSON.stringify({ id: 'evt_1', type: 'payment.captured', data: { amount: 1999 } });
const t = 1_700_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

describe('verifyWebhookSignature', () => {
  it('accepts a body signed with the secret within the tolerance window', () => {
    const header = signWebhookPayload(body, secret, t);
    expect(verifyWebhookSignature(body, header, secret, { now: at(t + 299) })).toEqual({
      ok: true,
      timestamp: t,
    });
    expect(verifyWebhookSignature(Buffer.from(body), header, secret, { now: at(t) }).ok).toBe(true);
  });

  it('signs "<t>.<raw body>" with HMAC-SHA256, as documented', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhookPayload(body, secret, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('refuses a tampered body, a wrong secret and a moved timestamp', () => {
    const header = signWebhookPayload(body, secret, t);
    const now = at(t);
    expect(verifyWebhookSignature(body.replace('1999', '1'), header, secret, { now })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
    expect(verifyWebhookSignature(body, header, 'whsec_other', { now }).ok).toBe(false);
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature(body, moved, secret, { now })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('refuses a correctly signed event outside the tolerance window, either side', () => {
    const header = signWebhookPayload(body, secret, t);
    expect(verifyWebhookSignature(body, header, secret, { now: at(t + 301) })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyWebhookSignature(body, header, secret, { now: at(t - 31), toleranceSeconds: 30 }).ok).toBe(
      false,
    );
  });

  it('refuses missing and malformed headers', () => {
    const now = at(t);
    expect(verifyWebhookSignature(body, undefined, secret, { now })).toEqual({
      ok: false,
      reason: 'missing_header',
    });
    for (const header of [
      'garbage',
      `t=${t}`,
      `v1=${'a'.repeat(64)}`,
      `t=abc,v1=${'a'.repeat(64)}`,
      `t=${t},v1=zz`,
    ]) {
      expect(verifyWebhookSignature(body, header, secret, { now })).toEqual({
        ok: false,
        reason: 'malformed_header',
      });
    }
  });

  it('accepts any one of several v1 signatures, for secret rotation', () => {
    const header = `t=${t},v1=${computeSignature(body, 'whsec_old', t)},v1=${computeSignature(body, secret, t)}`;
    expect(verifyWebhookSignature(body, header, secret, { now: at(t) }).ok).toBe(true);
    expect(verifyWebhookSignature(body, header, 'whsec_old', { now: at(t) }).ok).toBe(true);
    expect(verifyWebhookSignature(body, header, 'whsec_third', { now: at(t) }).ok).toBe(false);
  });
});
