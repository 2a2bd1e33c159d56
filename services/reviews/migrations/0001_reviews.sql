-- Who bought what, projected from the orders service's events (ADR 1000). One row per product of an
-- order, with the order's current status; order_version (the length of its status history) only grows,
-- so an event handled late never puts back an older status.
create table purchases (
  order_id text not null,
  product_id text not null,
  customer_id text not null,
  status text not null,
  order_version integer not null,
  updated_at timestamptz not null default now(),
  primary key (order_id, product_id)
);
create index purchases_customer_product on purchases (customer_id, product_id);

-- customer_id is null for imported reviews (the demo data), which carry no verified-purchase badge.
-- seq orders reviews for keyset pagination: unique and increasing, unlike created_at.
create table reviews (
  id text primary key,
  seq bigserial not null unique,
  product_id text not null,
  customer_id text,
  author_name text not null,
  rating smallint not null check (rating between 1 and 5),
  title text not null,
  body text not null,
  status text not null default 'visible' check (status in ('visible', 'hidden')),
  moderation_note text,
  helpful_votes integer not null default 0 check (helpful_votes >= 0),
  reports integer not null default 0 check (reports >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index reviews_one_per_customer on reviews (product_id, customer_id) where customer_id is not null;
create index reviews_newest on reviews (product_id, seq desc) where status = 'visible';
create index reviews_helpful on reviews (product_id, helpful_votes desc, seq desc) where status = 'visible';
create index reviews_rating on reviews (product_id, rating, seq desc) where status = 'visible';
create index reviews_reported on reviews (reports desc, seq desc) where reports > 0;

create table review_votes (
  review_id text not null references reviews (id) on delete cascade,
  customer_id text not null,
  created_at timestamptz not null default now(),
  primary key (review_id, customer_id)
);

create table review_reports (
  review_id text not null references reviews (id) on delete cascade,
  customer_id text not null,
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (review_id, customer_id)
);

-- The product's rating over its visible reviews. Every review change locks this row first, so changes
-- to one product's reviews are serialised and each event's version is one more than the last.
create table product_ratings (
  product_id text primary key,
  review_count integer not null default 0,
  rating_sum integer not null default 0,
  stars_1 integer not null default 0,
  stars_2 integer not null default 0,
  stars_3 integer not null default 0,
  stars_4 integer not null default 0,
  stars_5 integer not null default 0,
  version bigint not null default 0,
  updated_at timestamptz not null default now()
);

-- One rating per seller of an order, by the order's customer.
create table seller_ratings (
  order_id text not null,
  seller_id text not null,
  customer_id text not null,
  rating smallint not null check (rating between 1 and 5),
  comment text,
  created_at timestamptz not null default now(),
  primary key (order_id, seller_id)
);
create index seller_ratings_recent on seller_ratings (seller_id, created_at desc);

-- The lock and event version of each seller's rating, as product_ratings is for products.
create table seller_rating_versions (
  seller_id text primary key,
  version bigint not null default 0
);
