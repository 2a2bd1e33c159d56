-- status is what the customer sees; saga_step is where checkout stands. Both change only under the
-- saga lease (locked_until), so two processes never drive one order at once.
create table orders (
  id text primary key,
  customer_id text not null,
  status text not null check (status in ('rejected', 'pending_payment', 'paid', 'fulfilling', 'shipped',
                                         'delivered', 'cancelled', 'payment_failed', 'refunded')),
  saga_step text not null,
  total_amount integer not null check (total_amount >= 0),
  currency text not null,
  shipping_address jsonb not null,
  payment_token text not null,
  idempotency_key text not null,
  request_hash text not null,
  failure jsonb,
  cancel_requested boolean not null default false,
  locked_until timestamptz,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Same key, same customer: same order. Enforced here, inside the insert's transaction.
  unique (customer_id, idempotency_key)
);
create index orders_customer on orders (customer_id, created_at desc);
create index orders_unfinished on orders (saga_step) where saga_step <> 'done';

create table order_lines (
  order_id text not null references orders (id),
  sku text not null,
  product_id text not null,
  seller_id text not null,
  title text not null,
  quantity integer not null check (quantity > 0),
  unit_amount integer not null check (unit_amount >= 0),
  primary key (order_id, sku)
);
create index order_lines_seller on order_lines (seller_id, order_id);

create table status_history (
  seq bigserial primary key,
  order_id text not null references orders (id),
  status text not null,
  note text,
  at timestamptz not null default now()
);
create index status_history_order on status_history (order_id, seq);

-- One fulfilment per seller of the order.
create table fulfilments (
  id text primary key,
  order_id text not null references orders (id),
  seller_id text not null,
  status text not null default 'pending',
  created_at timestamptz not null default now(),
  unique (order_id, seller_id)
);
