-- refund_failed: a cancelled paid order whose refund the payment gateway refused for good (it does not
-- know the payment). Retrying cannot change that answer, so the order ends here, visibly, for a person.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
  check (status in ('rejected', 'pending_payment', 'paid', 'fulfilling', 'shipped', 'delivered',
                    'cancelled', 'payment_failed', 'refunded', 'refund_failed'));
