-- Behaviour signals and purchases. An actor is a signed-in user (user_id) or an anonymous session
-- (session_id only); a signed-in event keeps its session id so the current session can be read back.
create table interactions (
  id bigserial primary key,
  user_id text,
  session_id text,
  kind text not null check (kind in ('view', 'click', 'add_to_cart', 'search', 'purchase')),
  product_id text,
  query text,
  occurred_at timestamptz not null default now(),
  check (user_id is not null or session_id is not null),
  check ((kind = 'search') = (query is not null))
);
create index interactions_user on interactions (user_id, id desc) where user_id is not null;
create index interactions_session on interactions (session_id, id desc) where session_id is not null;
create index interactions_time on interactions (occurred_at);

-- One row per trained artifact; the file under <dataDir>/recs/ is the model, this is its record.
create table model_versions (
  version text primary key,
  kind text not null,
  trained_at timestamptz not null,
  users integer not null,
  items integer not null,
  interactions integer not null,
  train_ms integer not null,
  last_interaction_id bigint not null,
  artifact text not null
);
