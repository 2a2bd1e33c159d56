-- Accounts. `email_key` is the case-folded normalised address: the uniqueness key. `email` keeps the
-- address as the user typed it (after normalisation) for display and mail.
create table users (
  id uuid primary key,
  email text not null,
  email_key text not null,
  password_hash text not null,
  name text not null,
  role text not null check (role in ('customer', 'seller', 'admin')),
  status text not null default 'active' check (status in ('active', 'suspended')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email_key);

create table seller_profiles (
  user_id uuid primary key references users (id),
  store_name text not null,
  slug text not null,
  description text,
  rating real,
  created_at timestamptz not null default now()
);
create unique index seller_profiles_slug on seller_profiles (slug);
create unique index seller_profiles_store_name on seller_profiles (lower(store_name));

create table addresses (
  id uuid primary key,
  user_id uuid not null references users (id),
  name text not null,
  line1 text not null,
  line2 text,
  city text not null,
  region text,
  postal_code text not null,
  country char(2) not null,
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
create index addresses_user on addresses (user_id, created_at);

-- Refresh tokens are stored only as SHA-256 hashes. A family is one login session: every rotation adds a
-- row to it, and reuse of a spent token revokes the whole family.
create table refresh_tokens (
  id uuid primary key,
  token_hash text not null,
  family_id uuid not null,
  user_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create unique index refresh_tokens_hash on refresh_tokens (token_hash);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user on refresh_tokens (user_id) where revoked_at is null;

-- Access-token signing keys (Ed25519 JWKs). The newest active key signs; a retired key stays published
-- in the JWKS until every token it signed has expired.
create table signing_keys (
  kid text primary key,
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);
