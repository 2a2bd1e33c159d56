export { createPaymentSandbox, DEFAULT_API_KEY } from './server.ts';
export { newSandboxCredentials, type SandboxCredentials } from './credentials.ts';
export type { PaymentSandbox, PaymentSandboxOptions } from './server.ts';
export { computeSignature, signWebhookPayload, SIGNATURE_HEADER } from './signature.ts';
export { knownTokens } from './tokens.ts';
export type * from './types.ts';
