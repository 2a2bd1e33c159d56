-- One row per notice owed to one recipient because of one event: the sent-log and the delivery queue.
-- (event_id, recipient_id) is unique, so a redelivered or republished event adds nothing.
create table notifications (
  id uuid primary key,
  event_id uuid not null,
  recipient_id uuid not null,
  audience text not null check (audience in ('customer', 'seller')),
  kind text not null,
  order_id uuid not null,
  details jsonb not null default '{}'::jsonb,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'undeliverable')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- A sender holds a row while it sends; a sender that died lets the claim lapse and another resends.
  claimed_until timestamptz,
  last_error text,
  subject text,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (event_id, recipient_id)
);
create index notifications_due on notifications (next_attempt_at) where status = 'pending';
create index notifications_recipient on notifications (recipient_id, created_at desc);
