import { registered, type RegisteredService } from '@emporium/platform';
import { usersService } from '@emporium/users';
import { inventoryService } from '@emporium/inventory';
import { catalogService } from '@emporium/catalog';
import { searchService } from '@emporium/search';
import { cartService } from '@emporium/cart';
import { paymentsService } from '@emporium/payments';
import { ordersService } from '@emporium/orders';
import { recommendationsService } from '@emporium/recommendations';
import { reviewsService } from '@emporium/reviews';
import { ledgerService } from '@emporium/ledger';
import { notificationsService } from '@emporium/notifications';
import { analyticsService } from '@emporium/analytics';

/**
 * Every service this build knows. Order does not matter: the composition root builds them in the order
 * their declared dependencies give. Adding a service is one line here and its definition in its folder.
 */
export const serviceRegistry: RegisteredService[] = [
  registered(usersService),
  registered(inventoryService),
  registered(catalogService),
  registered(searchService),
  registered(cartService),
  registered(paymentsService),
  registered(ordersService),
  registered(recommendationsService),
  registered(reviewsService),
  registered(ledgerService),
  registered(notificationsService),
  registered(analyticsService),
];

/** The front door: not a service with an API, but a name SERVICES may give a process. */
export const GATEWAY = 'gateway';
