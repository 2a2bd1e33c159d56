-- A cart belongs to a customer (customer_id set, unique) or to a guest (customer_id null, expires_at set).
create table carts (
  id text primary key,
  customer_id text unique,
  expires_at timestamptz,
  merged_into text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((customer_id is null) = (expires_at is not null))
);
create index carts_guest_expiry on carts (expires_at) where customer_id is null;

create table cart_lines (
  cart_id text not null references carts (id) on delete cascade,
  sku text not null,
  quantity integer not null check (quantity between 1 and 99),
  added_at timestamptz not null default now(),
  primary key (cart_id, sku)
);

-- Orders already taken out of a cart: a repeated "checked out" call (saga retry) subtracts once.
create table checkouts (
  order_id text primary key,
  cart_id text not null,
  at timestamptz not null default now()
);
