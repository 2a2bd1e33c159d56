-- Categories are managed by an admin (ADR 0610): a retired category takes no new products and leaves the
-- public tree; its products keep it until they are moved.
alter table categories add column retired_at timestamptz;

-- Set once per database when the standard tree is installed, so a category an admin retired or renamed
-- is never brought back by a restart.
create table taxonomy_installs (
  name text primary key,
  installed_at timestamptz not null default now()
);

-- A seller's request for a category the tree lacks; an admin approves (creating it) or rejects it.
create table category_proposals (
  id uuid primary key,
  seller_id text not null,
  -- the names as proposed, e.g. 'Fashion/Rain Boots', and its slug path for duplicate checks
  path text not null,
  slug_path text not null,
  reason text not null default '',
  status text not null check (status in ('pending', 'approved', 'rejected')),
  category_id uuid references categories (id),
  decision_note text,
  decided_by text,
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create index category_proposals_seller on category_proposals (seller_id, created_at desc);
create index category_proposals_status on category_proposals (status, created_at);
-- One pending proposal per seller and path: a repeated proposal answers the one already waiting.
create unique index category_proposals_pending_once on category_proposals (seller_id, slug_path)
  where status = 'pending';
