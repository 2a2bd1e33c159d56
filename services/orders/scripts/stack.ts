// Builds the whole checkout path (inventory, cart, payments, orders) on one Infrastructure, with a catalog
// fixture in place of the catalog service. Used by the orders tests, the two-process flash-sale node and
// the checkout benchmark.
import { readFileSync } from 'node:fs';
import type { Infrastructure, ServiceModule } from '@emporium/platform';
import { createInventoryService, type InventoryServiceOptions } from '@emporium/inventory';
import { createCartService, type VariantInfo, type VariantSource } from '@emporium/cart';
import { createPaymentsService, paymentSettings } from '@emporium/payments';
import { createOrdersService, type OrdersDeps, type OrdersServiceOptions } from '../src/index.ts';

/** CatalogApi.getVariants over a map (or a JSON file of VariantInfo[] shared by several processes). */
export class CatalogFixture implements VariantSource {
  readonly variants = new Map<string, VariantInfo>();
  constructor(private readonly file?: string) {}
  add(v: VariantInfo) {
    this.variants.set(v.sku, v);
  }
  async getVariants(skus: string[]) {
    if (this.file && skus.some((s) => !this.variants.has(s)))
      for (const v of JSON.parse(readFileSync(this.file, 'utf8')) as VariantInfo[])
        this.variants.set(v.sku, v);
    return skus.flatMap((s) => (this.variants.has(s) ? [structuredClone(this.variants.get(s)!)] : []));
  }
}

export interface StackOptions {
  gatewayUrl: string;
  /** The gateway's per-run key and webhook secret (`newSandboxCredentials()`). */
  apiKey: string;
  webhookSecret: string;
  catalog: VariantSource;
  orders?: OrdersServiceOptions;
  inventory?: InventoryServiceOptions;
  gatewayTimeoutMs?: number;
  gatewayRetries?: number;
  /** Saved addresses and account e-mails (the users service); checkout-only stacks go without. */
  users?: OrdersDeps['users'];
}

export async function buildCheckoutStack(infra: Infrastructure, options: StackOptions) {
  const ctx = { config: {} as never, infra };
  const inventory = await createInventoryService(ctx, { sweepIntervalMs: 0, ...options.inventory });
  const cart = await createCartService(
    ctx,
    { catalog: options.catalog, inventory: inventory.api },
    { sweepIntervalMs: 0 },
  );
  const settings = {
    ...paymentSettings({
      gatewayUrl: options.gatewayUrl,
      gatewayApiKey: options.apiKey,
      webhookSecret: options.webhookSecret,
    }),
    timeoutMs: options.gatewayTimeoutMs ?? 1_000,
    ...(options.gatewayRetries === undefined ? {} : { retries: options.gatewayRetries }),
  };
  const payments = await createPaymentsService(ctx, settings);
  const orders = await createOrdersService(
    ctx,
    { inventory: inventory.api, payments: payments.api, cart: cart.api, users: options.users },
    { recoveryIntervalMs: 0, ...options.orders },
  );
  const modules: ServiceModule[] = [inventory.module, cart.module, payments.module, orders.module];
  return { modules, inventory: inventory.api, cart: cart.api, payments: payments.api, orders: orders.api };
}
