import type { Logger } from 'pino';
import { subscribeTo, type EventBus, type Subscription } from '@emporium/platform';
import { OrderPaid, OrderStatusChanged, type OrdersApi } from '@emporium/orders';
import type { ReviewsStore } from './store.ts';

export const PURCHASES_CONSUMER = 'reviews-purchases';

/**
 * Keeps the purchase projection (ADR 1000): whichever order event arrives, the order is read from the
 * orders service as it now stands and recorded with its version, so events handled twice, late or out
 * of order leave the newest status in place.
 */
export class PurchaseProjection {
  constructor(
    private readonly store: ReviewsStore,
    private readonly orders: Pick<OrdersApi, 'getOrder'>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async refresh(orderId: string): Promise<void> {
    const order = await this.orders.getOrder(orderId);
    if (!order) {
      this.logger.warn({ orderId }, 'order event for an order the orders service does not know; skipped');
      return;
    }
    await this.store.recordOrder({
      id: order.id,
      customerId: order.customerId,
      status: order.status,
      version: order.history.length,
      productIds: [...new Set(order.lines.map((line) => line.productId))],
    });
  }

  /** Subscribed while the service is built: an in-process bus delivers only to consumers present. */
  async subscribe(bus: EventBus, logger: Pick<Logger, 'warn'>): Promise<Subscription[]> {
    return Promise.all([
      subscribeTo(bus, PURCHASES_CONSUMER, OrderPaid, (e) => this.refresh(e.data.orderId), logger),
      subscribeTo(
        bus,
        `${PURCHASES_CONSUMER}-status`,
        OrderStatusChanged,
        (e) => this.refresh(e.data.orderId),
        logger,
      ),
    ]);
  }
}
