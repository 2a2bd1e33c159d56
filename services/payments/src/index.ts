export type {
  AuthorizeRequest,
  IntentStatus,
  Money,
  PaymentIntent,
  PaymentsApi,
  PaymentUpdatedEvent,
} from './types.ts';
export { PAYMENT_UPDATED } from './types.ts';
export type { PaymentGateway, GatewayAuthorization } from './gateway.ts';
export { createPaymentsService } from './service.ts';
export { PaymentsHttpClient } from './client.ts';
export { paymentSettings, DEFAULT_SANDBOX_PORT, type PaymentSettings } from './settings.ts';
export { startPaymentSandbox, type RunningSandbox } from './embedded-sandbox.ts';
