export { createPaymentSandbox, DEFAULT_API_KEY } from './server.ts';
export { newSandboxCredentials, type SandboxCredentials } from './credentials.ts';
export type { PaymentSandbox, PaymentSandboxOptions } from './server.ts';
export {
  computeSignature,
  signWebhookPayload,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
} from './signature.ts';
export type { SignatureCheck, SignatureFailure, VerifyOptions } from './signature.ts';
export { knownTokens } from './tokens.ts';
export type * from './types.ts';
