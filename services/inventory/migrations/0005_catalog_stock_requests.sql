-- The newest catalog stock request applied per SKU (ADR 0607). A request that arrives late, redelivered
-- after an outage, must not overwrite the stock of a newer one that was applied in the meantime.
create table catalog_stock_requests (
  sku text primary key references stock (sku),
  requested_at timestamptz not null,
  event_id uuid not null
);
