-- Stock per SKU. Availability is on_hand - reserved; the CHECKs make overselling impossible even for a
-- buggy caller: a statement that would push a count below zero fails instead of committing.
create table stock (
  sku text primary key,
  seller_id text not null,
  on_hand integer not null default 0 check (on_hand >= 0),
  reserved integer not null default 0 check (reserved >= 0),
  updated_at timestamptz not null default now(),
  constraint reserved_within_on_hand check (reserved <= on_hand)
);

create table reservations (
  id text primary key,
  status text not null check (status in ('active', 'committed', 'released')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  closed_at timestamptz,
  reason text
);
create index reservations_expiring on reservations (expires_at) where status = 'active';

create table reservation_lines (
  reservation_id text not null references reservations (id),
  sku text not null references stock (sku),
  quantity integer not null check (quantity > 0),
  primary key (reservation_id, sku)
);

-- The ledger: per SKU, sum(on_hand_delta) = stock.on_hand and sum(reserved_delta) = stock.reserved.
create table movements (
  seq bigserial primary key,
  sku text not null references stock (sku),
  kind text not null check (kind in ('adjust', 'reserve', 'commit', 'release')),
  on_hand_delta integer not null,
  reserved_delta integer not null,
  reservation_id text,
  reason text,
  created_at timestamptz not null default now()
);
create index movements_sku on movements (sku);
