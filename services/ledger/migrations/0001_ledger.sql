-- Double-entry bookkeeping (ADR 1011). Amounts are integer minor units; a line's amount is positive for a
-- debit and negative for a credit, so a posting balances when its lines sum to 0 in each currency.
create table accounts (
  id text primary key,
  kind text not null check (kind in ('seller_payable', 'seller_reserve', 'clearing', 'commission_revenue',
                                     'payouts_in_transit', 'adjustments')),
  seller_id text,
  currency text not null,
  check ((seller_id is null) = (kind not in ('seller_payable', 'seller_reserve')))
);
create index accounts_seller on accounts (seller_id) where seller_id is not null;

create table postings (
  id uuid primary key,
  kind text not null check (kind in ('sale', 'commission', 'refund', 'adjustment', 'reserve', 'payout',
                                     'payout_settled', 'payout_failed')),
  -- What made it, once: `sale:<order>:<seller>`, `refund:<order>:<seller>:<refunded so far>`... A second
  -- attempt to post the same thing (a redelivered event under another id) conflicts here and posts nothing.
  source text not null unique,
  seller_id text,
  order_id text,
  payout_id uuid,
  memo text,
  created_at timestamptz not null default now()
);
create index postings_seller on postings (seller_id, created_at, id) where seller_id is not null;
create index postings_order on postings (order_id) where order_id is not null;

create table lines (
  posting_id uuid not null references postings (id),
  line smallint not null,
  account_id text not null references accounts (id),
  currency text not null,
  amount bigint not null,
  primary key (posting_id, line)
);
create index lines_account on lines (account_id);

-- Checked once per statement that writes lines, over every posting it touched: a posting whose lines do
-- not sum to 0 in a currency aborts the whole transaction, whatever code wrote it (the ledger writes all
-- the lines of its postings in one statement). Per statement, not per row: one check per paid order.
create function postings_balance() returns trigger language plpgsql set search_path from current as $$
declare
  unbalanced uuid;
begin
  select l.posting_id into unbalanced
    from lines l
    where l.posting_id in (select distinct posting_id from written)
    group by l.posting_id, l.currency
    having sum(l.amount) <> 0
    limit 1;
  if unbalanced is not null then
    raise exception 'posting % does not balance', unbalanced using errcode = '23514';
  end if;
  return null;
end $$;
create trigger lines_balance after insert on lines
  referencing new table as written for each statement execute function postings_balance();

-- The books are append-only: a mistake is corrected by another posting, never by editing one.
create function refuse_rewrite() returns trigger language plpgsql as $$
begin
  raise exception 'ledger % are append-only', tg_table_name using errcode = '55000';
end $$;
create trigger lines_append_only before update or delete on lines
  for each row execute function refuse_rewrite();
create trigger postings_append_only before update or delete on postings
  for each row execute function refuse_rewrite();

-- Commission by category slug path ('' is the platform default, seeded below; ADR 1010).
create table commission_rules (
  category text primary key,
  percent_bps integer not null check (percent_bps between 0 and 10000),
  fixed_fee integer not null default 0 check (fixed_fee >= 0),
  -- The fixed fee's currency; null when there is no fixed fee.
  currency text,
  updated_at timestamptz not null default now(),
  check ((fixed_fee = 0) or currency is not null)
);
insert into commission_rules (category, percent_bps) values ('', 1000);

-- One row per order the ledger knows, locked by every posting about the order, so a sale and a refund
-- of the same order arriving at once in two processes are applied one after the other.
create table orders (
  order_id text primary key,
  currency text,
  -- The latest refund the payments service reported: cumulative refunded of captured.
  refunded bigint not null default 0,
  captured bigint not null default 0
);

-- Each seller's part of a sale and how much of it refunds have reversed so far.
create table sales (
  order_id text not null references orders (order_id),
  seller_id text not null,
  currency text not null,
  gross bigint not null check (gross >= 0),
  commission bigint not null check (commission >= 0 and commission <= gross),
  reversed_gross bigint not null default 0,
  reversed_commission bigint not null default 0,
  created_at timestamptz not null default now(),
  primary key (order_id, seller_id)
);

create table payouts (
  id uuid primary key,
  seller_id text not null,
  currency text not null,
  amount bigint not null check (amount > 0),
  status text not null check (status in ('requested', 'in_transit', 'paid', 'failed')),
  trigger text not null check (trigger in ('schedule', 'request')),
  idempotency_key text not null,
  transfer_id text,
  failure text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (seller_id, idempotency_key)
);
create index payouts_open on payouts (status) where status in ('requested', 'in_transit');
create index payouts_seller on payouts (seller_id, created_at desc);

-- When the payout schedule last paid everyone: the job checks often and pays when a period has passed,
-- so restarts do not push the weekly run back.
create table schedule (
  name text primary key,
  last_run_at timestamptz not null
);
-- The first scheduled payout comes one period after the ledger is installed.
insert into schedule (name, last_run_at) values ('payouts', now());
