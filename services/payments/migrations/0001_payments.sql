-- One intent per order: the unique order_id makes a retried or concurrent authorise find the same intent,
-- and every gateway call carries an idempotency key derived from the intent id.
create table intents (
  id text primary key,
  order_id text not null unique,
  customer_id text not null,
  amount integer not null check (amount > 0),
  currency text not null,
  token text not null,
  status text not null check (status in ('pending', 'authorized', 'declined', 'captured', 'voided', 'refunded', 'failed')),
  decline_code text,
  authorization_id text,
  captured_amount integer not null default 0,
  refunded_amount integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Every call to the gateway and its outcome: the audit trail of what was asked and answered.
create table attempts (
  seq bigserial primary key,
  intent_id text not null references intents (id),
  operation text not null,
  idempotency_key text not null,
  outcome text not null,
  detail text,
  created_at timestamptz not null default now()
);
create index attempts_intent on attempts (intent_id);

-- Webhook event ids already accepted: a replay of a validly signed request is refused.
create table webhook_events (
  event_id text primary key,
  type text not null,
  authorization_id text,
  received_at timestamptz not null default now()
);
