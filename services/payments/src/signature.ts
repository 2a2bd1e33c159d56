// The receiving side of the card gateway's webhook signatures (Stripe's scheme under our header name);
// the gateway, or sandboxes/payments, signs.
//
//   Emporium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// The timestamp is inside the signed payload, so an attacker cannot refresh an old capture's timestamp;
// the tolerance window bounds how long a captured request can be replayed. Receivers that must refuse
// every replay also remember event ids they have processed.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'emporium-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

type RawBody = string | Uint8Array;

function computeSignature(rawBody: RawBody, secret: string, timestampSeconds: number): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestampSeconds}.`);
  hmac.update(rawBody);
  return hmac.digest('hex');
}

export type SignatureFailure =
  'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface VerifyOptions {
  /** Largest accepted |now - t|, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The verifier's clock; defaults to the current time. */
  now?: Date;
}

/**
 * Checks a webhook against its `Emporium-Signature` header. Several `v1=` entries are accepted (any one
 * matching passes) so a sender can sign with an old and a new secret while the secret is rotated.
 */
export function verifyWebhookSignature(
  rawBody: RawBody,
  header: string | undefined,
  secret: string,
  options: VerifyOptions = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing_header' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed_header' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > tolerance)
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(computeSignature(rawBody, secret, parsed.timestamp), 'hex');
  const matches = parsed.signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature_mismatch' };
}

function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(value);
    }
    // Unknown schemes (v0, future v2) are ignored, as Stripe's verifiers do.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}
