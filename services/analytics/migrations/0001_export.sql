-- What the exporter owes the sink, in the order it arrived; one row per event id.
create table export_queue (
  seq bigserial primary key,
  event_id uuid not null unique,
  record jsonb not null,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now()
);
-- How far each sink has acknowledged: everything with seq <= position has reached it.
create table export_cursor (
  sink text primary key,
  position bigint not null default 0,
  updated_at timestamptz not null default now()
);
