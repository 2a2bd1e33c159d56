create table categories (
  id uuid primary key,
  parent_id uuid references categories (id),
  slug text not null,
  name text not null,
  -- slug path from the root, e.g. 'electronics/phones': unique, and the key for breadcrumbs and prefixes
  path text not null unique,
  depth int not null
);
create index categories_parent on categories (parent_id);

create table brands (
  id uuid primary key,
  name text not null,
  key text not null unique
);

create table products (
  id uuid primary key,
  seller_id text not null,
  -- the seller's own key for the product (imports upsert by it); defaults to the first variant's sku
  handle text not null,
  title text not null,
  description text not null default '',
  brand_id uuid references brands (id),
  category_id uuid not null references categories (id),
  attributes jsonb not null default '{}',
  status text not null check (status in ('draft', 'active', 'archived')),
  min_price bigint not null,
  currency text not null,
  image text,
  rating numeric(3, 2) not null default 0,
  rating_count int not null default 0,
  popularity int not null default 0,
  -- hash of the last written input: an import that brings the same content changes (and emits) nothing
  content_hash text not null,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (seller_id, handle)
);
create index products_listing_newest on products (status, created_at desc, id desc);
create index products_listing_price on products (status, min_price, id);
create index products_listing_rating on products (status, rating desc, id desc);
create index products_category_newest on products (category_id, status, created_at desc, id desc);
create index products_seller on products (seller_id, created_at desc, id desc);

create table variants (
  sku text primary key,
  product_id uuid not null references products (id) on delete cascade,
  seller_id text not null,
  title text,
  price_amount bigint not null check (price_amount >= 0),
  currency text not null,
  attributes jsonb not null default '{}',
  position int not null default 0
);
create index variants_product on variants (product_id, position);

create table images (
  product_id uuid not null references products (id) on delete cascade,
  key text not null,
  position int not null,
  width int,
  height int,
  primary key (product_id, key)
);

create table reviews (
  id uuid primary key,
  product_id uuid not null references products (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  comment text not null default '',
  reviewer_name text not null,
  created_at timestamptz not null default now()
);
create index reviews_product on reviews (product_id, created_at desc);
