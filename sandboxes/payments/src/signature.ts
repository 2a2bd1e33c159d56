// Webhook signatures, Stripe's scheme under our header name: the sending side. The platform's payments
// service verifies them with its own code, as a merchant verifies a real gateway's.
//
//   Emporium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// The timestamp is inside the signed payload, so an attacker cannot refresh an old capture's timestamp;
// the tolerance window bounds how long a captured request can be replayed. Receivers that must refuse
// every replay also remember event ids they have processed.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'emporium-signature';

export type RawBody = string | Uint8Array;

export function computeSignature(rawBody: RawBody, secret: string, timestampSeconds: number): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestampSeconds}.`);
  hmac.update(rawBody);
  return hmac.digest('hex');
}

export function signWebhookPayload(rawBody: RawBody, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${computeSignature(rawBody, secret, timestampSeconds)}`;
}
